import {
  defineMockProvider,
  type EngineErrorInput,
  type MockProviderDefinition,
} from '@reconnect-kit/mock-engine';
import { PLAID_CREDENTIAL_ENV, PLAID_DEFAULT_CREDENTIALS } from './credentials.js';
import { createPlaidState, type PlaidMockState } from './domain/state.js';
import { type PlaidErrorCode, plaidErrorBody } from './http/plaid-errors.js';
import { accountRoutes } from './routes/accounts.js';
import { hostedLinkRoutes } from './routes/hosted-link.js';
import { incomeRoutes } from './routes/income.js';
import { institutionRoutes } from './routes/institutions.js';
import { itemRoutes } from './routes/items.js';
import { linkRoutes } from './routes/link.js';
import { sandboxRoutes } from './routes/sandbox.js';
import { plaidScenarios } from './scenarios.js';
import { WebhookKeyRing } from './webhooks.js';

/** The Plaid error an engine-made error (bad JSON, unknown route, injected fault) becomes, by status. */
const ENGINE_ERRORS: Partial<Record<number, PlaidErrorCode>> = {
  400: 'INVALID_BODY',
  404: 'NOT_FOUND',
  405: 'INVALID_HTTP_METHOD',
  413: 'REQUEST_TOO_LARGE',
  429: 'RATE_LIMIT',
  500: 'INTERNAL_SERVER_ERROR',
  503: 'PLANNED_MAINTENANCE',
};

function engineErrorBody({ status, message }: EngineErrorInput) {
  const code = ENGINE_ERRORS[status] ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'INVALID_FIELD');
  return { ...plaidErrorBody(code, message), status };
}

/**
 * A Plaid mock definition with its own webhook signing keys (they survive `POST /__admin/reset`, as Plaid's do).
 * `startPlaidMock` makes a new one per server; the CLI uses `plaidMock`.
 */
export function createPlaidMock(): MockProviderDefinition<PlaidMockState> {
  const keys = new WebhookKeyRing();
  return defineMockProvider<PlaidMockState>({
    id: 'plaid',
    defaultCredentials: { ...PLAID_DEFAULT_CREDENTIALS },
    credentialEnv: { ...PLAID_CREDENTIAL_ENV },
    createState: createPlaidState,
    routes: [
      ...linkRoutes,
      ...hostedLinkRoutes,
      ...itemRoutes,
      ...accountRoutes,
      ...institutionRoutes(keys),
      ...sandboxRoutes,
      ...incomeRoutes,
    ],
    scenarios: plaidScenarios(keys),
    webhooks: keys.scheme(),
    errorBody: engineErrorBody,
  });
}

export const plaidMock = createPlaidMock();
