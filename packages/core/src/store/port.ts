import type { CompletionOutcome, Connection, ConnectionPage, ListConnectionsQuery } from '../service-api.js';
import type { ConnectionEvent, ConnectionState } from '../types.js';

/**
 * The persistence port of Reconnect Kit. Implementations: `MemoryConnectionStore`, `SqliteConnectionStore`
 * (core) and the PostgreSQL store (`@reconnect-kit/store-postgres`). The shared suite
 * `describeConnectionStoreSuite` from `@reconnect-kit/core/testing` pins down every contract written here.
 *
 * Conventions for implementers:
 * - Every method of `ConnectionStoreOps` called on the store itself is its own atomic unit (auto-commit).
 * - Inside `transaction(fn)`, use only the `tx` handed to `fn`; calling the outer store from inside `fn` may
 *   deadlock (the embedded stores serialise transactions in-process).
 * - Timestamps are ISO-8601 strings (UTC, millisecond precision) in and out; `Date` where the type says so.
 * - Records come back as fresh plain objects (mutating them never changes the store).
 * - Conflicts throw `ReconnectKitError('store_conflict')`; missing rows for an update throw
 *   `ReconnectKitError('connection_not_found')`.
 */

/** A row of the ignored-signal journal: a signal that was recorded but not applied. */
export interface IgnoredSignal {
  readonly id: string;
  readonly provider: string;
  readonly connectionId?: string | undefined;
  readonly upstreamId?: string | undefined;
  readonly eventId?: string | undefined;
  readonly vendorType?: string | undefined;
  readonly reason: IgnoredSignalReason;
  readonly from?: ConnectionState | undefined;
  readonly to?: ConnectionState | undefined;
  /** Vendor time of the signal, when known. */
  readonly occurredAt?: string | undefined;
  readonly recordedAt: string;
}

export type IgnoredSignalReason =
  | 'unknown_connection'
  | 'unknown_event'
  | 'illegal_transition'
  | 'stale'
  | 'terminal'
  /** A new upstream connection after a revoked one, with no evidence naming its host user: not attached. */
  | 'unassigned_successor';

export interface IgnoredSignalQuery {
  readonly provider?: string | undefined;
  readonly connectionId?: string | undefined;
  readonly limit?: number | undefined;
}

/** One outbox entry: an event waiting for (or done with) delivery to the host's handlers. */
export interface OutboxEntry {
  readonly event: ConnectionEvent;
  /** Failed delivery attempts so far. */
  readonly attempts: number;
  /** Not claimable before this time. */
  readonly nextAttemptAt: string;
  readonly deliveredAt?: string | undefined;
  /** Set while a dispatcher holds the entry; the entry is claimable again once the lease has passed. */
  readonly leaseOwner?: string | undefined;
  readonly leaseUntil?: string | undefined;
  /** Error name/code of the last failed attempt (never a message that could carry secrets). */
  readonly lastError?: string | undefined;
}

export interface OutboxClaim {
  /** Entries due at or before `now` whose lease (if any) has expired. */
  readonly now: Date;
  readonly limit: number;
  readonly leaseMs: number;
  /** Identifies the claiming dispatcher; mark calls from another owner are rejected. */
  readonly owner: string;
}

/** A fleet sweeper's claim on the connections whose next status check is due (see `claimSweep`). */
export interface SweepClaim {
  /** Due: never checked by a sweeper, or its next check time is at or before `now`; and not leased. */
  readonly now: Date;
  readonly limit: number;
  readonly leaseMs: number;
  /** Identifies the claiming sweeper; `finishSweep` from another owner is rejected. */
  readonly owner: string;
  readonly states: readonly ConnectionState[];
  readonly provider?: string | undefined;
}

export interface OutboxQuery {
  readonly status?: 'pending' | 'delivered' | undefined;
  readonly limit?: number | undefined;
}

/** A reconnect attempt, keyed by the nonce in its signed state. */
export interface ReconnectAttempt {
  readonly nonce: string;
  readonly connectionId: string;
  readonly provider: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  /** The first final outcome (recovered, account_mismatch, failed); its state cannot be used again. */
  readonly outcome?: CompletionOutcome | undefined;
  readonly completedAt?: string | undefined;
  /** The state the connection goes back to if the attempt ends unfinished (the state it was in when it began). */
  readonly returnTo?: ConnectionState | undefined;
  /** Why the attempt ended without a completion; an attempt with neither outcome nor end is open. */
  readonly endReason?: ReconnectAttemptEnd | undefined;
  readonly endedAt?: string | undefined;
}

/**
 * `superseded`: a newer start for the same connection; `expired`: its state's lifetime passed; `abandoned`: the
 * user left the vendor's flow (the host reported it with `abandonReconnection`).
 */
export type ReconnectAttemptEnd = 'superseded' | 'expired' | 'abandoned';

/** Open attempts (neither outcome nor end), filters combined with AND. */
export interface OpenAttemptQuery {
  readonly connectionId?: string | undefined;
  /** Only attempts with `expiresAt <= expiredBy`. */
  readonly expiredBy?: Date | undefined;
  readonly limit: number;
}

export interface SealedSecretRow {
  readonly connectionId: string;
  readonly sealed: string;
}

/** The listing query the service accepts, passed through unchanged (limit 1..500, default 50). */
export type StoreListQuery = ListConnectionsQuery;

/**
 * History that grows with every webhook and that `pruneHistory` can delete: delivered outbox entries (by
 * `deliveredAt`), inbound dedupe records (by receipt time) and ignored-signal journal entries (by `recordedAt`).
 */
export type HistoryKind = 'delivered_events' | 'inbound_events' | 'ignored_signals';

/** Everything that can run inside a transaction (and, on the store itself, as its own atomic unit). */
export interface ConnectionStoreOps {
  // ---- connections -------------------------------------------------------------------------------------
  getConnection(connectionId: string): Promise<Connection | undefined>;

  /**
   * The connection for a vendor id. Non-terminal connections are unique per (provider, upstreamId); when only
   * terminal ones exist, the most recently created is returned.
   */
  findByUpstream(provider: string, upstreamId: string): Promise<Connection | undefined>;

  /** The most recently created connection under a vendor parent id (Argyle user, Finch company) in `states`. */
  findLatestByUpstreamParent(
    provider: string,
    upstreamParentId: string,
    states: readonly ConnectionState[],
  ): Promise<Connection | undefined>;

  /**
   * Inserts a new connection (its `version` is stored as given, normally 1). Throws `store_conflict` when the
   * id exists or another non-terminal connection has the same (provider, upstreamId).
   */
  insertConnection(connection: Connection): Promise<void>;

  /**
   * Optimistic update: replaces the row only if its stored version equals `expectedVersion`;
   * `connection.version` must be `expectedVersion + 1`. Throws `store_conflict` on a version mismatch (or a
   * unique (provider, upstreamId) clash), `connection_not_found` when the row does not exist.
   */
  updateConnection(connection: Connection, expectedVersion: number): Promise<void>;

  /**
   * Keyset pagination ordered by (createdAt, id) ascending. Filters combine with AND. `nextCursor` is opaque
   * and present only when more rows may follow; paging while rows are inserted never skips or repeats a row
   * that existed when paging began. A malformed cursor throws `invalid_input`.
   */
  listConnections(query: StoreListQuery): Promise<ConnectionPage>;

  // ---- inbound dedupe ----------------------------------------------------------------------------------
  /**
   * Records an inbound vendor event id. Returns `true` the first time a (provider, eventId) pair is seen,
   * `false` afterwards. Backed by a unique constraint, so concurrent transactions recording the same pair see
   * exactly one `true` (the loser blocks or fails until the winner commits; if the winner rolls back, the
   * pair is free again).
   */
  recordInboundEvent(provider: string, eventId: string, receivedAt: Date): Promise<boolean>;

  // ---- ignored-signal journal --------------------------------------------------------------------------
  recordIgnoredSignal(signal: IgnoredSignal): Promise<void>;
  /** Newest first. */
  listIgnoredSignals(query: IgnoredSignalQuery): Promise<readonly IgnoredSignal[]>;

  // ---- outbox ------------------------------------------------------------------------------------------
  /**
   * Appends events in the given order, due at `availableAt`. An event whose id is already in the outbox is
   * skipped (idempotent), so replaying a transaction never duplicates entries.
   */
  appendOutbox(events: readonly ConnectionEvent[], availableAt: Date): Promise<void>;

  /**
   * Atomically leases up to `limit` undelivered entries that are due (`nextAttemptAt <= now`) and not leased
   * (or whose lease has passed), in append order. Two concurrent claims never return the same entry while its
   * lease is valid (PostgreSQL: `FOR UPDATE SKIP LOCKED`).
   */
  claimOutbox(claim: OutboxClaim): Promise<readonly OutboxEntry[]>;

  /** Marks a leased entry delivered. Returns `false` (and changes nothing) if `owner` no longer holds the lease. */
  markOutboxDelivered(eventId: string, owner: string, deliveredAt: Date): Promise<boolean>;

  /**
   * Records a failed attempt: attempts + 1, releases the lease, not due again before `nextAttemptAt`.
   * Returns `false` (and changes nothing) if `owner` no longer holds the lease.
   */
  markOutboxFailed(
    eventId: string,
    owner: string,
    failure: { readonly nextAttemptAt: Date; readonly error: string },
  ): Promise<boolean>;

  // ---- fleet sweeps -------------------------------------------------------------------------------------
  /**
   * Atomically leases up to `limit` connections in `states` (and of `provider`, if given) whose sweep check is
   * due, never-checked ones first, then by due time. Two concurrent claims never return the same connection while
   * its lease is valid (PostgreSQL: `FOR UPDATE SKIP LOCKED`); a connection whose claimer died is claimable
   * again once the lease has passed.
   */
  claimSweep(claim: SweepClaim): Promise<readonly Connection[]>;

  /**
   * Ends a sweep claim: the connection is not due again before `nextDueAt` (the claim time itself hands it back
   * at once) and its lease is released. Returns `false` (and changes nothing) if `owner` no longer holds it.
   */
  finishSweep(connectionId: string, owner: string, nextDueAt: Date): Promise<boolean>;

  /** Outbox rows in append order (inspection, tests, operations). */
  listOutbox(query: OutboxQuery): Promise<readonly OutboxEntry[]>;

  // ---- retention ---------------------------------------------------------------------------------------
  /**
   * Deletes up to `limit` rows of `kind` older than `before`, oldest first where the store can tell cheaply, and
   * returns how many it deleted (fewer than `limit`: nothing older is left). Undelivered outbox entries are never
   * deleted, whatever their age.
   */
  pruneHistory(kind: HistoryKind, before: Date, limit: number): Promise<number>;

  // ---- sealed secrets ----------------------------------------------------------------------------------
  /** Replaces the sealed secrets of a connection (one sealed blob per connection). */
  putSecrets(connectionId: string, sealed: string): Promise<void>;
  getSecrets(connectionId: string): Promise<string | undefined>;
  /** Compare-and-set used by key rotation: writes only if the stored blob is still `expected`. */
  replaceSecrets(connectionId: string, expected: string, next: string): Promise<boolean>;
  deleteSecrets(connectionId: string): Promise<void>;
  /** Keyset page ordered by connectionId ascending, starting after `afterConnectionId`. */
  listSecrets(afterConnectionId: string | undefined, limit: number): Promise<readonly SealedSecretRow[]>;

  // ---- reconnect attempts ------------------------------------------------------------------------------
  /** Throws `store_conflict` if the nonce exists. */
  insertReconnectAttempt(attempt: ReconnectAttempt): Promise<void>;
  getReconnectAttempt(nonce: string): Promise<ReconnectAttempt | undefined>;
  /**
   * Stores the final outcome once: returns `true` if this call set it, `false` if an outcome was already
   * stored (the stored one wins; read it back with `getReconnectAttempt`).
   */
  completeReconnectAttempt(nonce: string, outcome: CompletionOutcome, completedAt: Date): Promise<boolean>;
  /**
   * Ends one open attempt: `true` if this call ended it, `false` (and nothing changes) if it was completed or
   * ended already. Concurrent calls for the same nonce see exactly one `true`.
   */
  endReconnectAttempt(nonce: string, reason: ReconnectAttemptEnd, endedAt: Date): Promise<boolean>;
  /** Ends every open attempt of the connection except `keepNonce` as `superseded`; returns how many it ended. */
  supersedeReconnectAttempts(connectionId: string, keepNonce: string, endedAt: Date): Promise<number>;
  /** Open attempts matching the query, ordered by (expiresAt, nonce), at most `limit`. */
  listOpenReconnectAttempts(query: OpenAttemptQuery): Promise<readonly ReconnectAttempt[]>;
}

export interface ConnectionStore extends ConnectionStoreOps {
  /**
   * Runs `fn` in one transaction: every write made through `tx` commits together when `fn` resolves, and
   * nothing is left behind when it throws (the error is rethrown). Read-your-writes holds inside `tx`.
   * Transactions may run concurrently across processes (PostgreSQL, READ COMMITTED); conflicts surface as
   * `store_conflict` from `updateConnection`/`insertConnection`, and callers retry the whole transaction.
   */
  transaction<T>(fn: (tx: ConnectionStoreOps) => Promise<T>): Promise<T>;

  /**
   * Mutual exclusion per connection for long operations that call the vendor (reconnect completion).
   * Holds while `fn` runs, across every process sharing the store (PostgreSQL: a renewed lease row, which a
   * crashed holder loses when the lease runs out; the embedded stores: an in-process mutex). Not a transaction: `fn` opens its own.
   * Re-entrant calls for the same id from inside `fn` are not supported.
   */
  withConnectionLock<T>(connectionId: string, fn: () => Promise<T>): Promise<T>;

  /** Releases resources (database handles). Idempotent. */
  close(): Promise<void>;
}
