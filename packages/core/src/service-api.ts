import type { Sweeper, SweeperOptions } from './fleet-sweep.js';
import type { SweepOptions, SweepResult } from './sweep.js';
import type {
  CallbackParams,
  ConnectionEvent,
  ConnectionProblem,
  ConnectionRef,
  ConnectionState,
  ReconnectAction,
  VendorStatus,
} from './types.js';

/** A connection as the host sees it. It holds no secrets at all (they stay sealed in the store). */
export interface Connection extends ConnectionRef {
  readonly state: ConnectionState;
  readonly vendor?: VendorStatus | undefined;
  readonly problem?: ConnectionProblem | undefined;
  /** Set on a connection registered after an earlier one was revoked: the same host user connected again. */
  readonly previousConnectionId?: string | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly stateChangedAt: string;
  /** Vendor time of the last applied signal (older signals are stale and ignored). */
  readonly lastSignalAt?: string | undefined;
  /** Optimistic-concurrency version, bumped on every write. */
  readonly version: number;
  /**
   * The early warning of the current episode (`connection.expiring` was emitted for it). Cleared when the state
   * changes or a status read shows no warning, so a later warning is a new episode.
   */
  readonly warning?: ConnectionWarning | undefined;
}

/** An early warning as stored on a connection (times as ISO 8601). */
export interface ConnectionWarning {
  readonly code: string;
  readonly deadline: string;
  readonly reason: string;
  readonly vendor?: VendorStatus | undefined;
  /** When the service recorded it. */
  readonly raisedAt: string;
}

export interface RegisterConnectionInput {
  readonly provider: string;
  readonly hostUserId: string;
  readonly upstreamId: string;
  readonly upstreamParentId?: string | undefined;
  readonly state?: ConnectionState | undefined;
  readonly vendor?: VendorStatus | undefined;
  readonly metadata?: Readonly<Record<string, string>> | undefined;
  /** Stored encrypted with the SecretBox; never returned. */
  readonly secrets?: Readonly<Record<string, string>> | undefined;
  readonly previousConnectionId?: string | undefined;
}

export interface ListConnectionsQuery {
  readonly provider?: string | undefined;
  readonly states?: readonly ConnectionState[] | undefined;
  readonly hostUserId?: string | undefined;
  readonly limit?: number | undefined;
  /** Opaque cursor from a previous page. */
  readonly cursor?: string | undefined;
}

export interface ConnectionPage {
  readonly items: readonly Connection[];
  readonly nextCursor?: string | undefined;
}

export interface IngestResult {
  /** Events whose transition was applied. */
  readonly applied: number;
  /** Deliveries or events already seen (deduplicated by event id). */
  readonly duplicates: number;
  /** Recorded but not applied: unknown event, unknown connection, stale or illegal transition. */
  readonly ignored: number;
  readonly events: readonly ConnectionEvent[];
}

export type CompletionOutcome =
  | { readonly outcome: 'recovered'; readonly connection: Connection }
  | {
      /**
       * The user re-authenticated into another company/account. Nothing of it is stored; a connection in
       * `reconnecting` goes back to the problem state it had before (`connection` is that restored one).
       */
      readonly outcome: 'account_mismatch';
      readonly connection: Connection;
      readonly expected: { readonly upstreamId: string; readonly upstreamParentId?: string | undefined };
      readonly actual: { readonly upstreamId: string; readonly upstreamParentId?: string | undefined };
    }
  | { readonly outcome: 'pending'; readonly connection: Connection }
  | { readonly outcome: 'failed'; readonly connection: Connection; readonly problem: ConnectionProblem };

export interface StartReconnectionOptions {
  /** The host's callback route the user returns to after the vendor flow. */
  readonly redirectUri?: string | undefined;
  /**
   * Binds the attempt's `state` to the user's browser session: a value the host keeps in that session (for
   * example a random nonce in an HttpOnly cookie) and passes again to `completeReconnection`. A callback without
   * it, or with another value, fails with `state_session_mismatch` and changes nothing. The state carries only a
   * keyed digest of the value.
   */
  readonly sessionBinding?: string | undefined;
}

export interface CompleteReconnectionOptions {
  /** The session binding the attempt was started with (see `StartReconnectionOptions.sessionBinding`). */
  readonly sessionBinding?: string | undefined;
}

export interface ExpireReconnectAttemptsOptions {
  /** Attempts read per page (default 100). */
  readonly batchSize?: number | undefined;
}

export interface ExpireReconnectAttemptsResult {
  /** Attempts whose state had expired, now ended. */
  readonly expired: number;
  /** Connections that went back from `reconnecting` (`connection.reconnect_abandoned`). */
  readonly abandoned: number;
}

export interface StartReconnectionResult {
  readonly connection: Connection;
  readonly action: ReconnectAction;
}

export type ConnectionEventHandler = (event: ConnectionEvent) => void | Promise<void>;

/** The orchestrator the host calls. Implemented by `ReconnectionService`. */
export interface ReconnectionServiceApi {
  registerConnection(input: RegisterConnectionInput): Promise<Connection>;
  getConnection(connectionId: string): Promise<Connection>;
  listConnections(query?: ListConnectionsQuery): Promise<ConnectionPage>;
  /** verify → parse → dedupe → transition → persist + outbox, in one store transaction. */
  ingestWebhook(providerId: string, rawBody: Uint8Array, headers: Headers): Promise<IngestResult>;
  /** Classifies an error from a vendor API call made by the host and applies the resulting problem, if any. */
  reportError(connectionId: string, error: unknown): Promise<Connection>;
  /** Re-reads the vendor status and applies it. */
  checkStatus(connectionId: string): Promise<Connection>;
  /**
   * Re-checks many connections with their vendor and applies the answers like `checkStatus`, page by page with
   * bounded concurrency and a rate limit (a vendor's 429 pauses the whole sweep). Defaults to the connections
   * waiting on something (problem states and `reconnecting`). Run it on a schedule to catch lost webhooks.
   */
  sweep(options?: SweepOptions): Promise<SweepResult>;
  /**
   * Starts a sweeper that every instance may run on the same store: due connections are claimed in leased batches,
   * so each one is checked once per `intervalMs` across the fleet, and a dead instance's claims return when their
   * lease passes. Runs until `stop()`; see docs/operations.md "Running a fleet".
   */
  startSweeper(options: SweeperOptions): Sweeper;

  /**
   * Deletes history older than the given ages, in batches (one transaction each): delivered outbox events,
   * inbound dedupe records (at least one day: they must outlive the vendors' redelivery window) and
   * ignored-signal journal entries. Only the kinds named are pruned; undelivered events never are. Run it from a
   * scheduled job; see "Retention" in docs/operations.md.
   */
  pruneHistory(options: PruneHistoryOptions): Promise<PruneHistoryResult>;
  /**
   * Resolves once every background status read confirming a hint-only webhook (started so far, or meanwhile)
   * has finished. For tests and graceful shutdown; failed reads are logged, never thrown here.
   */
  settle(): Promise<void>;
  startReconnection(
    connectionId: string,
    options?: StartReconnectionOptions,
  ): Promise<StartReconnectionResult>;
  /**
   * Completes the attempt named by `callback.state`. A state is single use (`state_used` once an attempt reached a
   * final outcome), only the newest start of a connection counts (`state_superseded`), and a state bound to a
   * session needs the same binding (`state_session_mismatch`); each of these changes nothing. Single-flight per
   * connection: concurrent calls in one process with the same state share the first call's outcome.
   */
  completeReconnection(
    callback: CallbackParams,
    options?: CompleteReconnectionOptions,
  ): Promise<CompletionOutcome>;
  /**
   * The user left the vendor's flow without finishing (the vendor's widget reported closing: Argyle Link
   * `onClose`, Finch Connect `onClose`, Plaid Link `onExit`): ends the attempt of `state` at once, and a connection
   * still `reconnecting` on it goes back as an expired one would (`connection.reconnect_abandoned` with
   * `data.reason: 'abandoned'`). The state is checked like a callback's (`state_used`, `state_superseded`,
   * `state_session_mismatch`, …); once abandoned, it answers `state_expired`. Returns the connection as it is now.
   */
  abandonReconnection(state: string, options?: CompleteReconnectionOptions): Promise<Connection>;
  /**
   * Ends every reconnect attempt whose state has expired; a connection still `reconnecting` on it goes back to the
   * state the attempt started from (`connection.reconnect_abandoned`). Reads, starts, status checks and sweeps do
   * this for the connection they touch, and the dispatcher loop does it for all; call it from a job of your own
   * only if you run neither. Safe to run in many processes at once.
   */
  expireReconnectAttempts(options?: ExpireReconnectAttemptsOptions): Promise<ExpireReconnectAttemptsResult>;
  revoke(connectionId: string): Promise<Connection>;
  /** Host event subscription (outbox delivery, at-least-once). Returns an unsubscribe function. */
  subscribe(handler: ConnectionEventHandler): () => void;
  /** Delivers due outbox entries to subscribers now; returns how many were delivered. */
  deliverOutbox(): Promise<number>;
  /**
   * Starts a background loop that delivers the outbox every `options.outbox.pollIntervalMs` (clock time): call it
   * once at start-up in a long-running process instead of calling `deliverOutbox`.
   */
  startDispatcher(): void;
  /** Stops the background loop and waits for the current delivery to finish (graceful shutdown). */
  stopDispatcher(): Promise<void>;
  /**
   * Re-seals every stored secret with the primary key, page by page (default 100 per page), after a new key was
   * made primary; see "Key rotation" in docs/operations.md.
   */
  rotateSecrets(pageSize?: number): Promise<{ rotated: number; unchanged: number }>;
}

export interface PruneHistoryOptions {
  readonly deliveredEventsOlderThanMs?: number | undefined;
  /** At least 86,400,000 (one day). */
  readonly inboundEventsOlderThanMs?: number | undefined;
  readonly ignoredSignalsOlderThanMs?: number | undefined;
  /** Rows deleted per transaction (default 1,000). */
  readonly batchSize?: number | undefined;
}

/** Rows deleted, per kind. */
export interface PruneHistoryResult {
  readonly deliveredEvents: number;
  readonly inboundEvents: number;
  readonly ignoredSignals: number;
}
