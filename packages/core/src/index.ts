import 'reflect-metadata';

export type { Clock } from './clock.js';
export { ManualClock, SystemClock } from './clock.js';
export type { ReconnectKitErrorCode, ReconnectKitErrorOptions } from './errors.js';
export { ERROR_CODES, isReconnectKitError, ReconnectKitError } from './errors.js';
export { type EventIdSource, eventIdFor, sortableTime } from './event-id.js';
export type { Sweeper, SweeperOptions } from './fleet-sweep.js';
export { ConsoleLogger, NoopLogger, redact } from './logger.js';
export { OutboxNotifier } from './notifier.js';
export type { ReconnectKitOptions, ReconnectKitOptionsInput } from './options.js';
export { reconnectKitOptionsSchema } from './options.js';
export type { HttpFetch, Logger, Notifier } from './ports.js';
export type { ReconnectKitConfig } from './register.js';
export { registerReconnectKit } from './register.js';
export type { ResilientFetchOptions, RetryOptions } from './resilience/resilient-fetch.js';
export { createResilientFetch, FetchTimeoutError } from './resilience/resilient-fetch.js';
export { parseRetryAfter } from './resilience/retry-after.js';
export type { CallPriority, VendorBudget } from './resilience/vendor-budget.js';
export { UNLIMITED_BUDGET } from './resilience/vendor-budget.js';
export type { SecretBoxConfig } from './secret-box.js';
export { SecretBox, secretBoxConfigSchema } from './secret-box.js';
export { ReconnectionService } from './service.js';
export type {
  CompleteReconnectionOptions,
  CompletionOutcome,
  Connection,
  ConnectionEventHandler,
  ConnectionPage,
  ConnectionWarning,
  ExpireReconnectAttemptsOptions,
  ExpireReconnectAttemptsResult,
  IngestResult,
  ListConnectionsQuery,
  PruneHistoryOptions,
  PruneHistoryResult,
  ReconnectionServiceApi,
  RegisterConnectionInput,
  StartReconnectionOptions,
  StartReconnectionResult,
} from './service-api.js';
export type { StateClaims } from './state-token.js';
export { DEFAULT_STATE_TTL_MS, StateTokenSigner } from './state-token.js';
export { MemoryConnectionStore } from './store/memory.js';
export type {
  ConnectionStore,
  ConnectionStoreOps,
  HistoryKind,
  IgnoredSignal,
  IgnoredSignalQuery,
  IgnoredSignalReason,
  OpenAttemptQuery,
  OutboxClaim,
  OutboxEntry,
  OutboxQuery,
  ReconnectAttempt,
  ReconnectAttemptEnd,
  SealedSecretRow,
  StoreListQuery,
  SweepClaim,
} from './store/port.js';
export type { ListPosition } from './store/shared.js';
/**
 * Helpers for ConnectionStore implementations (cursor format, page-size rule, live = non-terminal, per-key mutex,
 * the store_conflict error and why a versioned update missed).
 */
export {
  conflict,
  decodeCursor,
  encodeCursor,
  isLive,
  KeyedMutex,
  missedUpdate,
  pageSize,
} from './store/shared.js';
export type { SqliteStoreOptions } from './store/sqlite.js';
export { SqliteConnectionStore } from './store/sqlite.js';
export type { SweepOptions, SweepProgress, SweepResult } from './sweep.js';
export { DEFAULT_SWEEP_STATES } from './sweep.js';
export {
  CLOCK,
  CONNECTION_STORE,
  HTTP_FETCH,
  LOGGER,
  NOTIFIER,
  RECONNECT_KIT_CONFIG,
  RECONNECTION_PROVIDER,
  RECONNECTION_SERVICE,
  SECRET_BOX,
  STATE_SIGNER,
  VENDOR_BUDGET,
} from './tokens.js';
export type { SignalSource, TransitionDecision, TransitionRule, TransitionStep } from './transitions.js';
export {
  ABANDON_TABLE,
  decideTransition,
  findTransition,
  resolveSignalState,
  SIGNAL_RESOLUTION,
  TRANSITION_TABLE,
  USER_ACTION_STATES,
} from './transitions.js';
export type {
  CallbackParams,
  ConnectionEvent,
  ConnectionEventType,
  ConnectionProblem,
  ConnectionRef,
  ConnectionSignal,
  ConnectionState,
  EarlyWarning,
  FixPath,
  ProviderCapabilities,
  ProviderConnection,
  ProviderEvent,
  ProviderStatus,
  ReconnectAction,
  ReconnectionProvider,
  ReconnectResult,
  StartContext,
  StatusHint,
  UserNotification,
  VendorStatus,
  VerifiedWebhook,
  WidgetConfigValue,
} from './types.js';
export { CONNECTION_EVENT_TYPES, CONNECTION_STATES, TERMINAL_STATES } from './types.js';
export { parseConfig, parseInput } from './validation.js';
export { parseJsonBody, toHeaders } from './vendor-error-input.js';
