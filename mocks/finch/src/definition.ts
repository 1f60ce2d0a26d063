import { defineMockProvider, type EngineErrorInput } from '@reconnect-kit/mock-engine';
import { FINCH_CREDENTIAL_ENV, FINCH_DEFAULT_CREDENTIALS } from './credentials.js';
import { createFinchState, type FinchState } from './domain/state.js';
import { finchErrorBody } from './http/finch-errors.js';
import { connectPageRoutes } from './routes/connect-page.js';
import { connectSessionRoutes } from './routes/connect-sessions.js';
import { employerRoutes } from './routes/employer.js';
import { managementRoutes } from './routes/management.js';
import { sandboxRoutes } from './routes/sandbox.js';
import { finchScenarios } from './scenarios.js';
import { finchWebhookScheme } from './webhooks.js';

/** Engine-made errors (unknown route, 405, 413, injected faults) in Finch's `{code, name, message}` shape. */
function engineErrorBody({ status, code, message }: EngineErrorInput) {
  if (code === 'bad_request') return finchErrorBody('invalid_request', message);
  const name = status === 404 ? 'not_found_error' : status >= 500 ? 'server_error' : code;
  return { code: status, name, message };
}

/** The Finch mock: API, sandbox verbs, Connect page, scenarios and Finch-signed webhooks. */
export const finchMock = defineMockProvider<FinchState>({
  id: 'finch',
  defaultCredentials: { ...FINCH_DEFAULT_CREDENTIALS },
  credentialEnv: { ...FINCH_CREDENTIAL_ENV },
  createState: createFinchState,
  routes: [
    ...managementRoutes,
    ...connectSessionRoutes,
    ...connectPageRoutes,
    ...sandboxRoutes,
    ...employerRoutes,
  ],
  scenarios: finchScenarios,
  webhooks: finchWebhookScheme,
  errorBody: engineErrorBody,
});
