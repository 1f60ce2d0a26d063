/** `@reconnect-kit/mock-plaid`: a local mock of the Plaid API on `@reconnect-kit/mock-engine`. */
import {
  type RunningMockServer,
  type StartMockServerOptions,
  startMockServer,
} from '@reconnect-kit/mock-engine';
import { createPlaidMock, plaidMock } from './definition.js';
import type { PlaidMockState } from './domain/state.js';

export { PLAID_CREDENTIAL_ENV, PLAID_DEFAULT_CREDENTIALS } from './credentials.js';
export { createPlaidMock, plaidMock } from './definition.js';
export type { PlaidMockState } from './domain/state.js';
export { SANDBOX_PASSWORD, SANDBOX_USERNAME } from './routes/hosted-link.js';

/** The definition under the name the `reconnect-mock` CLI looks for. */
export const mockDefinition = plaidMock;

/** Starts the Plaid mock over HTTP (port 0 = a free port), with its own webhook signing keys. */
export function startPlaidMock(
  options: StartMockServerOptions = {},
): Promise<RunningMockServer<PlaidMockState>> {
  return startMockServer(createPlaidMock(), options);
}
