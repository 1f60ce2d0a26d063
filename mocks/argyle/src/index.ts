/**
 * `@reconnect-kit/mock-argyle`: a local mock of the Argyle API v2 (Basic auth, DRF errors, cursor pagination,
 * users, user tokens, accounts, paystubs, invites, webhook subscriptions with HMAC-SHA512 signatures) and of the
 * Link page (sandbox logins, MFA, one-click reconnect, revoke), on `@reconnect-kit/mock-engine`.
 */
import {
  createMswHandlers,
  type MockInstance,
  type RunningMockServer,
  type StartMockServerOptions,
  startMockServer,
} from '@reconnect-kit/mock-engine';
import type { HttpHandler } from 'msw';
import { argyleMock } from './definition.js';
import type { ArgyleState } from './domain/state.js';

export { argyleMock, DEFAULT_ARGYLE_CREDENTIALS } from './definition.js';
export type { SandboxItem, SandboxUser } from './domain/sandbox.js';
export {
  SANDBOX_FAILING_PASSWORD,
  SANDBOX_ITEMS,
  SANDBOX_PASSWORD,
  SANDBOX_USERS,
} from './domain/sandbox.js';
export type { ArgyleState } from './domain/state.js';
export { MOCK_CLIENT_ID } from './domain/users.js';
export { DEFAULT_TARGET_NAME, signArgyleBody } from './domain/webhooks.js';
export { LINK_PATH } from './link/paths.js';
export { MFA_TIMEOUT_MS } from './link/routes.js';

/** The definition under the name the `reconnect-mock` CLI looks for. */
export const mockDefinition = argyleMock;

export type ArgyleMockServer = RunningMockServer<ArgyleState>;

/** Starts the Argyle mock over HTTP (port 0 = a free port). */
export function startArgyleMock(options: StartMockServerOptions = {}): Promise<ArgyleMockServer> {
  return startMockServer(argyleMock, options);
}

/** msw handlers serving `instance` at `baseUrl` (default `https://api-sandbox.argyle.com`), for `setupServer`. */
export function argyleHandlers(
  instance: MockInstance<ArgyleState>,
  baseUrl = 'https://api-sandbox.argyle.com',
): HttpHandler[] {
  return createMswHandlers(instance, baseUrl);
}
