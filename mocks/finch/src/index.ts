export { FINCH_CREDENTIAL_ENV, FINCH_DEFAULT_CREDENTIALS } from './credentials.js';
export { finchMock, finchMock as mockDefinition } from './definition.js';
export type {
  AuthenticationType,
  ConnectionLifecycleStatus,
  FinchConnection,
  FinchConnectionStatus,
  FinchState,
} from './domain/state.js';
export { FINCH_API_VERSION } from './http/api.js';
export { FINCH_DEFAULT_BASE_URL, finchHandlers, startFinchMock } from './server.js';
export { finchWebhookScheme } from './webhooks.js';
