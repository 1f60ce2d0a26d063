import 'reflect-metadata';

export type { Clock } from './clock.js';
export { ManualClock, SystemClock } from './clock.js';
export type { ReconnectKitErrorCode, ReconnectKitErrorOptions } from './errors.js';
export { ERROR_CODES, isReconnectKitError, ReconnectKitError } from './errors.js';
export type { HttpFetch, Logger, Notifier } from './ports.js';
export type {
  CompletionOutcome,
  Connection,
  ConnectionEventHandler,
  ConnectionPage,
  IngestResult,
  ListConnectionsQuery,
  ReconnectionServiceApi,
  RegisterConnectionInput,
  StartReconnectionOptions,
  StartReconnectionResult,
} from './service-api.js';
export {
  CLOCK,
  CONNECTION_STORE,
  HTTP_FETCH,
  LOGGER,
  NOTIFIER,
  RECONNECT_KIT_CONFIG,
  RECONNECTION_PROVIDER,
  SECRET_BOX,
} from './tokens.js';
export type {
  CallbackParams,
  ConnectionEvent,
  ConnectionEventType,
  ConnectionProblem,
  ConnectionRef,
  ConnectionSignal,
  ConnectionState,
  FixPath,
  ProviderCapabilities,
  ProviderConnection,
  ProviderEvent,
  ProviderStatus,
  ReconnectAction,
  ReconnectionProvider,
  ReconnectResult,
  StartContext,
  UserNotification,
  VendorStatus,
  VerifiedWebhook,
} from './types.js';
export { CONNECTION_EVENT_TYPES, CONNECTION_STATES, TERMINAL_STATES } from './types.js';
