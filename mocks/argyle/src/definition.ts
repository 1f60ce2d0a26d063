/** The Argyle mock as an engine provider definition (also what the CLI `reconnect-mock argyle` runs). */
import { defineMockProvider, type EngineErrorInput } from '@reconnect-kit/mock-engine';
import { accountRoutes } from './api/accounts.js';
import { inviteRoutes } from './api/invites.js';
import { itemRoutes } from './api/items.js';
import { reportRoutes } from './api/reports.js';
import { resourceRoutes } from './api/resources.js';
import { userFileRoutes } from './api/user-files.js';
import { userRoutes } from './api/users.js';
import { verificationRoutes } from './api/verifications.js';
import { webhookRoutes } from './api/webhooks.js';
import { type ArgyleState, createArgyleState } from './domain/state.js';
import { catchUp } from './domain/sync.js';
import { completeVerifications } from './domain/verifications.js';
import { argyleWebhookScheme } from './domain/webhooks.js';
import { linkRoutes } from './link/routes.js';
import { argyleScenarios } from './scenarios.js';

/** Fixed sandbox-style defaults; override with ARGYLE_MOCK_API_KEY_ID / ARGYLE_MOCK_API_KEY_SECRET. */
export const DEFAULT_ARGYLE_CREDENTIALS = {
  api_key_id: 'argyle-mock-api-key-id',
  api_key_secret: 'argyle-mock-api-key-secret',
} as const;

/** DRF's default `detail` for statuses the engine can produce (faults, 500); a 413 keeps the engine's message, which names the limit. */
const DRF_DETAILS: Readonly<Record<number, string>> = {
  400: 'Malformed request.',
  401: 'Invalid username/password.',
  403: 'You do not have permission to perform this action.',
  404: 'Not found.',
  429: 'Request was throttled.',
};

/** Engine-generated errors (unknown route, 405, malformed JSON, injected faults, …) in DRF's `{"detail": …}` shape. */
function drfErrorBody({ code, message, status }: EngineErrorInput): unknown {
  if (code === 'method_not_allowed') {
    // DRF says `Method "PUT" not allowed.`; the engine's message ends with the method.
    const method = /\b([A-Z]+)$/.exec(message)?.[1];
    return { detail: method ? `Method "${method}" not allowed.` : 'Method not allowed.' };
  }
  if (code === 'bad_request') return { detail: `JSON parse error - ${message}` };
  return { detail: DRF_DETAILS[status] ?? (status >= 500 ? 'A server error occurred.' : message) };
}

export const argyleMock = defineMockProvider<ArgyleState>({
  id: 'argyle',
  defaultCredentials: { ...DEFAULT_ARGYLE_CREDENTIALS },
  credentialEnv: { api_key_id: 'ARGYLE_MOCK_API_KEY_ID', api_key_secret: 'ARGYLE_MOCK_API_KEY_SECRET' },
  createState: () => createArgyleState(),
  routes: [
    ...userRoutes,
    ...accountRoutes,
    ...resourceRoutes,
    ...userFileRoutes,
    ...itemRoutes,
    ...reportRoutes,
    ...verificationRoutes,
    ...inviteRoutes,
    ...webhookRoutes,
    ...linkRoutes,
  ],
  scenarios: argyleScenarios,
  webhooks: argyleWebhookScheme,
  errorBody: drfErrorBody,
  // Ongoing refresh up to the mock clock, then the verifications whose data is now there.
  catchUp(ctx) {
    catchUp(ctx);
    completeVerifications(ctx);
  },
});
