import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { isoTime } from '../clock.js';
import type { CompletionOutcome, Connection, ConnectionPage } from '../service-api.js';
import type { ConnectionEvent, ConnectionState } from '../types.js';
import type {
  ConnectionStoreOps,
  HistoryKind,
  IgnoredSignal,
  IgnoredSignalQuery,
  OpenAttemptQuery,
  OutboxClaim,
  OutboxEntry,
  OutboxQuery,
  ReconnectAttempt,
  ReconnectAttemptEnd,
  SealedSecretRow,
  StoreListQuery,
  SweepClaim,
} from './port.js';
import {
  conflict,
  decodeCursor,
  encodeCursor,
  isLive,
  KeyedMutex,
  missedUpdate,
  pageSize,
} from './shared.js';
import { TransactionalStore } from './transactional-store.js';

/** Versioned schema migrations; each runs once, in order, inside a transaction. Append only. */
export const SQLITE_MIGRATIONS: readonly { readonly version: number; readonly sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE connections (
        id TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        host_user_id TEXT NOT NULL,
        upstream_id TEXT NOT NULL,
        upstream_parent_id TEXT,
        state TEXT NOT NULL,
        live INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        version INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE UNIQUE INDEX connections_live_upstream ON connections (provider, upstream_id) WHERE live = 1;
      CREATE INDEX connections_upstream ON connections (provider, upstream_id, created_at);
      CREATE INDEX connections_order ON connections (created_at, id);
      CREATE INDEX connections_parent ON connections (provider, upstream_parent_id, created_at);
      CREATE INDEX connections_host ON connections (host_user_id, created_at, id);
      CREATE TABLE inbound_events (
        provider TEXT NOT NULL,
        event_id TEXT NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (provider, event_id)
      );
      CREATE TABLE ignored_signals (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        provider TEXT NOT NULL,
        connection_id TEXT,
        body TEXT NOT NULL
      );
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        delivered_at TEXT,
        lease_owner TEXT,
        lease_until TEXT,
        last_error TEXT
      );
      CREATE INDEX outbox_due ON outbox (delivered_at, next_attempt_at, seq);
      CREATE TABLE secrets (connection_id TEXT PRIMARY KEY, sealed TEXT NOT NULL);
      CREATE TABLE reconnect_attempts (
        nonce TEXT PRIMARY KEY,
        connection_id TEXT NOT NULL,
        provider TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        outcome TEXT,
        completed_at TEXT
      );
    `,
  },
  {
    // Fewer pages per write transaction: the dedupe row lives in its primary key alone (no separate rowid table
    // page), and the outbox due index keeps only undelivered rows (delivery removes the entry instead of moving it).
    version: 2,
    sql: `
      CREATE TABLE inbound_events_keyed (
        provider TEXT NOT NULL,
        event_id TEXT NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (provider, event_id)
      ) WITHOUT ROWID;
      INSERT INTO inbound_events_keyed (provider, event_id, received_at)
        SELECT provider, event_id, received_at FROM inbound_events;
      DROP TABLE inbound_events;
      ALTER TABLE inbound_events_keyed RENAME TO inbound_events;
      DROP INDEX outbox_due;
      CREATE INDEX outbox_pending ON outbox (next_attempt_at, seq) WHERE delivered_at IS NULL;
    `,
  },
  {
    // The outbox without AUTOINCREMENT: each insert no longer rewrites the sqlite_sequence page. A new seq is still
    // above every row present (SQLite takes max(seq) + 1), which is all the claim order needs; only delivered rows
    // are ever deleted (pruneHistory).
    version: 3,
    sql: `
      CREATE TABLE outbox_rowid (
        seq INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        delivered_at TEXT,
        lease_owner TEXT,
        lease_until TEXT,
        last_error TEXT
      );
      INSERT INTO outbox_rowid SELECT seq, event_id, body, attempts, next_attempt_at, delivered_at, lease_owner,
        lease_until, last_error FROM outbox;
      DROP TABLE outbox;
      ALTER TABLE outbox_rowid RENAME TO outbox;
      CREATE INDEX outbox_pending ON outbox (next_attempt_at, seq) WHERE delivered_at IS NULL;
    `,
  },
  {
    // Reconnect attempts end (superseded by a newer start, or expired) and remember the state to go back to.
    // Only open attempts are looked up by connection or expiry, so both indexes keep only those.
    version: 4,
    sql: `
      ALTER TABLE reconnect_attempts ADD COLUMN return_to TEXT;
      ALTER TABLE reconnect_attempts ADD COLUMN end_reason TEXT;
      ALTER TABLE reconnect_attempts ADD COLUMN ended_at TEXT;
      CREATE INDEX reconnect_attempts_open_expiry ON reconnect_attempts (expires_at, nonce)
        WHERE outcome IS NULL AND end_reason IS NULL;
      CREATE INDEX reconnect_attempts_open_connection ON reconnect_attempts (connection_id)
        WHERE outcome IS NULL AND end_reason IS NULL;
    `,
  },
  {
    // Fleet sweeps: when each connection's next status check is due, and who holds it meanwhile.
    version: 5,
    sql: `
      CREATE TABLE sweep_state (
        connection_id TEXT PRIMARY KEY,
        due_at TEXT NOT NULL,
        lease_owner TEXT,
        lease_until TEXT
      ) WITHOUT ROWID;
      CREATE INDEX connections_state ON connections (state, id);
    `,
  },
];

type Row = Record<string, unknown>;

const iso = isoTime;
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && /UNIQUE constraint failed/.test(error.message);
}

function outboxEntry(row: Row): OutboxEntry {
  return {
    event: JSON.parse(row.body as string) as ConnectionEvent,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at as string,
    deliveredAt: text(row.delivered_at),
    leaseOwner: text(row.lease_owner),
    leaseUntil: text(row.lease_until),
    lastError: text(row.last_error),
  };
}

function attemptFrom(row: Row): ReconnectAttempt {
  return {
    nonce: row.nonce as string,
    connectionId: row.connection_id as string,
    provider: row.provider as string,
    createdAt: row.created_at as string,
    expiresAt: row.expires_at as string,
    outcome: row.outcome ? (JSON.parse(row.outcome as string) as CompletionOutcome) : undefined,
    completedAt: text(row.completed_at),
    returnTo: text(row.return_to) as ConnectionState | undefined,
    endReason: text(row.end_reason) as ReconnectAttemptEnd | undefined,
    endedAt: text(row.ended_at),
  };
}

/** Statements run against the open transaction of the owning store. */
class SqliteOps implements ConnectionStoreOps {
  constructor(private readonly sql: (query: string) => StatementSync) {}

  #connection(row: Row | undefined): Connection | undefined {
    return row ? (JSON.parse(row.body as string) as Connection) : undefined;
  }

  async getConnection(connectionId: string): Promise<Connection | undefined> {
    return this.#connection(this.sql('SELECT body FROM connections WHERE id = ?').get(connectionId));
  }

  async findByUpstream(provider: string, upstreamId: string): Promise<Connection | undefined> {
    // A live row, when there is one, is the answer (at most one: unique partial index); this lookup needs no
    // sort, unlike the general query below, which SQLite orders in a temporary B-tree.
    const live = this.sql(
      'SELECT body FROM connections WHERE provider = ? AND upstream_id = ? AND live = 1',
    ).get(provider, upstreamId);
    if (live) return this.#connection(live);
    return this.#connection(
      this.sql(
        `SELECT body FROM connections WHERE provider = ? AND upstream_id = ?
         ORDER BY live DESC, created_at DESC, id DESC LIMIT 1`,
      ).get(provider, upstreamId),
    );
  }

  async findLatestByUpstreamParent(
    provider: string,
    upstreamParentId: string,
    states: readonly ConnectionState[],
  ): Promise<Connection | undefined> {
    if (states.length === 0) return undefined;
    return this.#connection(
      this.sql(
        `SELECT body FROM connections WHERE provider = ? AND upstream_parent_id = ?
         AND state IN (${states.map(() => '?').join(', ')}) ORDER BY created_at DESC, id DESC LIMIT 1`,
      ).get(provider, upstreamParentId, ...states),
    );
  }

  /** provider, host_user_id, upstream_id, upstream_parent_id, state, live, created_at, version, body. */
  #columns(
    connection: Connection,
  ): [string, string, string, string | null, ConnectionState, 0 | 1, string, number, string] {
    return [
      connection.provider,
      connection.hostUserId,
      connection.upstreamId,
      connection.upstreamParentId ?? null,
      connection.state,
      isLive(connection) ? 1 : 0,
      connection.createdAt,
      connection.version,
      JSON.stringify(connection),
    ];
  }

  async insertConnection(connection: Connection): Promise<void> {
    try {
      this.sql(
        `INSERT INTO connections (id, provider, host_user_id, upstream_id, upstream_parent_id, state, live,
         created_at, version, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(connection.id, ...this.#columns(connection));
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw conflict('A connection with this id or live upstream id exists.', {
          connectionId: connection.id,
        });
      }
      throw error;
    }
  }

  async updateConnection(connection: Connection, expectedVersion: number): Promise<void> {
    if (connection.version !== expectedVersion + 1) {
      throw conflict('The new version must be the expected version + 1.', { connectionId: connection.id });
    }
    let changes: number;
    try {
      // Most updates change only the state and body: assigning just those leaves the five indexes untouched
      // (SQLite rewrites an index whenever one of its columns, or of a partial index's WHERE, is assigned, even to
      // the same value). The guard on the other columns sends any other update to the full statement.
      const columns = this.#columns(connection);
      const [provider, hostUserId, upstreamId, upstreamParentId, state, live, createdAt, version, body] =
        columns;
      changes = Number(
        this.sql(
          `UPDATE connections SET state = ?, version = ?, body = ? WHERE id = ? AND version = ? AND live = ?
           AND provider = ? AND host_user_id = ? AND upstream_id = ? AND upstream_parent_id IS ? AND created_at = ?`,
        ).run(
          state,
          version,
          body,
          connection.id,
          expectedVersion,
          live,
          provider,
          hostUserId,
          upstreamId,
          upstreamParentId,
          createdAt,
        ).changes,
      );
      if (changes === 0) {
        changes = Number(
          this.sql(
            `UPDATE connections SET provider = ?, host_user_id = ?, upstream_id = ?, upstream_parent_id = ?,
             state = ?, live = ?, created_at = ?, version = ?, body = ? WHERE id = ? AND version = ?`,
          ).run(...columns, connection.id, expectedVersion).changes,
        );
      }
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw conflict('Another live connection has this upstream id.', { connectionId: connection.id });
      }
      throw error;
    }
    if (changes === 1) return;
    const exists = this.sql('SELECT 1 FROM connections WHERE id = ?').get(connection.id) !== undefined;
    throw missedUpdate(connection.id, expectedVersion, exists);
  }

  async listConnections(query: StoreListQuery): Promise<ConnectionPage> {
    const limit = pageSize(query);
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    if (query.provider !== undefined) {
      where.push('provider = ?');
      params.push(query.provider);
    }
    if (query.hostUserId !== undefined) {
      where.push('host_user_id = ?');
      params.push(query.hostUserId);
    }
    if (query.states !== undefined) {
      where.push(query.states.length === 0 ? '0' : `state IN (${query.states.map(() => '?').join(', ')})`);
      params.push(...query.states);
    }
    if (query.cursor !== undefined) {
      const after = decodeCursor(query.cursor);
      where.push('(created_at > ? OR (created_at = ? AND id > ?))');
      params.push(after.createdAt, after.createdAt, after.id);
    }
    const rows = this.sql(
      `SELECT body FROM connections ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at, id LIMIT ?`,
    ).all(...params, limit + 1);
    const items = rows.slice(0, limit).map((row) => JSON.parse(row.body as string) as Connection);
    const last = items.at(-1);
    return rows.length > limit && last ? { items, nextCursor: encodeCursor(last) } : { items };
  }

  async recordInboundEvent(provider: string, eventId: string, receivedAt: Date): Promise<boolean> {
    const result = this.sql(
      'INSERT INTO inbound_events (provider, event_id, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ).run(provider, eventId, iso(receivedAt));
    return Number(result.changes) === 1;
  }

  async recordIgnoredSignal(signal: IgnoredSignal): Promise<void> {
    this.sql('INSERT INTO ignored_signals (provider, connection_id, body) VALUES (?, ?, ?)').run(
      signal.provider,
      signal.connectionId ?? null,
      JSON.stringify(signal),
    );
  }

  async listIgnoredSignals(query: IgnoredSignalQuery): Promise<readonly IgnoredSignal[]> {
    return this.sql(
      `SELECT body FROM ignored_signals WHERE (?1 IS NULL OR provider = ?1) AND (?2 IS NULL OR connection_id = ?2)
       ORDER BY seq DESC LIMIT ?3`,
    )
      .all(query.provider ?? null, query.connectionId ?? null, query.limit ?? 100)
      .map((row) => JSON.parse(row.body as string) as IgnoredSignal);
  }

  async appendOutbox(events: readonly ConnectionEvent[], availableAt: Date): Promise<void> {
    const insert = this.sql(
      'INSERT INTO outbox (event_id, body, next_attempt_at) VALUES (?, ?, ?) ON CONFLICT (event_id) DO NOTHING',
    );
    const due = iso(availableAt);
    for (const event of events) insert.run(event.id, JSON.stringify(event), due);
  }

  async claimOutbox(claim: OutboxClaim): Promise<readonly OutboxEntry[]> {
    const now = iso(claim.now);
    const leaseUntil = iso(new Date(claim.now.getTime() + claim.leaseMs));
    const rows = this.sql(
      `UPDATE outbox SET lease_owner = ?, lease_until = ?
       WHERE seq IN (SELECT seq FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= ?
                     AND (lease_until IS NULL OR lease_until <= ?) ORDER BY seq LIMIT ?)
       RETURNING *`,
    ).all(claim.owner, leaseUntil, now, now, claim.limit);
    return rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map(outboxEntry);
  }

  async claimSweep(claim: SweepClaim): Promise<readonly Connection[]> {
    const now = iso(claim.now);
    const rows = this.sql(
      `SELECT c.id, c.body, s.due_at FROM connections c LEFT JOIN sweep_state s ON s.connection_id = c.id
       WHERE c.state IN (SELECT value FROM json_each(?1)) AND (?2 IS NULL OR c.provider = ?2)
         AND (s.connection_id IS NULL OR (s.due_at <= ?3 AND (s.lease_until IS NULL OR s.lease_until <= ?3)))
       ORDER BY s.due_at IS NOT NULL, s.due_at, c.id LIMIT ?4`,
    ).all(JSON.stringify(claim.states), claim.provider ?? null, now, claim.limit);
    const lease = this.sql(
      `INSERT INTO sweep_state (connection_id, due_at, lease_owner, lease_until) VALUES (?, ?, ?, ?)
       ON CONFLICT (connection_id) DO UPDATE SET lease_owner = excluded.lease_owner,
         lease_until = excluded.lease_until`,
    );
    const leaseUntil = iso(new Date(claim.now.getTime() + claim.leaseMs));
    for (const row of rows) lease.run(row.id as string, text(row.due_at) ?? now, claim.owner, leaseUntil);
    return rows.map((row) => JSON.parse(row.body as string) as Connection);
  }

  async finishSweep(connectionId: string, owner: string, nextDueAt: Date): Promise<boolean> {
    const result = this.sql(
      `UPDATE sweep_state SET due_at = ?, lease_owner = NULL, lease_until = NULL
       WHERE connection_id = ? AND lease_owner = ?`,
    ).run(iso(nextDueAt), connectionId, owner);
    return Number(result.changes) === 1;
  }

  async markOutboxDelivered(eventId: string, owner: string, deliveredAt: Date): Promise<boolean> {
    const result = this.sql(
      `UPDATE outbox SET delivered_at = ?, lease_owner = NULL, lease_until = NULL
       WHERE event_id = ? AND lease_owner = ? AND delivered_at IS NULL`,
    ).run(iso(deliveredAt), eventId, owner);
    return Number(result.changes) === 1;
  }

  async markOutboxFailed(
    eventId: string,
    owner: string,
    failure: { readonly nextAttemptAt: Date; readonly error: string },
  ): Promise<boolean> {
    const result = this.sql(
      `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, lease_owner = NULL,
       lease_until = NULL WHERE event_id = ? AND lease_owner = ? AND delivered_at IS NULL`,
    ).run(iso(failure.nextAttemptAt), failure.error, eventId, owner);
    return Number(result.changes) === 1;
  }

  async listOutbox(query: OutboxQuery): Promise<readonly OutboxEntry[]> {
    const filter =
      query.status === 'delivered'
        ? 'WHERE delivered_at IS NOT NULL'
        : query.status === 'pending'
          ? 'WHERE delivered_at IS NULL'
          : '';
    return this.sql(`SELECT * FROM outbox ${filter} ORDER BY seq LIMIT ?`)
      .all(query.limit ?? 100)
      .map(outboxEntry);
  }

  async pruneHistory(kind: HistoryKind, before: Date, limit: number): Promise<number> {
    // Outbox and journal rows go in seq order, which is time order, so each call finds the oldest first. The dedupe
    // table has no index on receipt time (it would cost every ingest a page write): a call scans it in key order.
    const statement = {
      delivered_events: `DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox
        WHERE delivered_at IS NOT NULL AND delivered_at < ?1 ORDER BY seq LIMIT ?2)`,
      inbound_events: `DELETE FROM inbound_events WHERE (provider, event_id) IN (SELECT provider, event_id
        FROM inbound_events WHERE received_at < ?1 LIMIT ?2)`,
      ignored_signals: `DELETE FROM ignored_signals WHERE seq IN (SELECT seq FROM ignored_signals
        WHERE json_extract(body, '$.recordedAt') < ?1 ORDER BY seq LIMIT ?2)`,
    }[kind];
    return Number(this.sql(statement).run(iso(before), limit).changes);
  }

  async putSecrets(connectionId: string, sealed: string): Promise<void> {
    this.sql(
      `INSERT INTO secrets (connection_id, sealed) VALUES (?, ?)
       ON CONFLICT (connection_id) DO UPDATE SET sealed = excluded.sealed`,
    ).run(connectionId, sealed);
  }

  async getSecrets(connectionId: string): Promise<string | undefined> {
    return text(this.sql('SELECT sealed FROM secrets WHERE connection_id = ?').get(connectionId)?.sealed);
  }

  async replaceSecrets(connectionId: string, expected: string, next: string): Promise<boolean> {
    const result = this.sql('UPDATE secrets SET sealed = ? WHERE connection_id = ? AND sealed = ?').run(
      next,
      connectionId,
      expected,
    );
    return Number(result.changes) === 1;
  }

  async deleteSecrets(connectionId: string): Promise<void> {
    this.sql('DELETE FROM secrets WHERE connection_id = ?').run(connectionId);
  }

  async listSecrets(
    afterConnectionId: string | undefined,
    limit: number,
  ): Promise<readonly SealedSecretRow[]> {
    return this.sql(
      'SELECT connection_id, sealed FROM secrets WHERE (?1 IS NULL OR connection_id > ?1) ORDER BY connection_id LIMIT ?2',
    )
      .all(afterConnectionId ?? null, limit)
      .map((row) => ({ connectionId: row.connection_id as string, sealed: row.sealed as string }));
  }

  async insertReconnectAttempt(attempt: ReconnectAttempt): Promise<void> {
    try {
      this.sql(
        `INSERT INTO reconnect_attempts (nonce, connection_id, provider, created_at, expires_at, outcome, completed_at,
         return_to, end_reason, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        attempt.nonce,
        attempt.connectionId,
        attempt.provider,
        attempt.createdAt,
        attempt.expiresAt,
        attempt.outcome ? JSON.stringify(attempt.outcome) : null,
        attempt.completedAt ?? null,
        attempt.returnTo ?? null,
        attempt.endReason ?? null,
        attempt.endedAt ?? null,
      );
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw conflict('A reconnect attempt with this nonce exists.', { connectionId: attempt.connectionId });
      }
      throw error;
    }
  }

  async getReconnectAttempt(nonce: string): Promise<ReconnectAttempt | undefined> {
    const row = this.sql('SELECT * FROM reconnect_attempts WHERE nonce = ?').get(nonce);
    return row ? attemptFrom(row) : undefined;
  }

  async completeReconnectAttempt(
    nonce: string,
    outcome: CompletionOutcome,
    completedAt: Date,
  ): Promise<boolean> {
    const result = this.sql(
      'UPDATE reconnect_attempts SET outcome = ?, completed_at = ? WHERE nonce = ? AND outcome IS NULL',
    ).run(JSON.stringify(outcome), iso(completedAt), nonce);
    return Number(result.changes) === 1;
  }

  async endReconnectAttempt(nonce: string, reason: ReconnectAttemptEnd, endedAt: Date): Promise<boolean> {
    const result = this.sql(
      `UPDATE reconnect_attempts SET end_reason = ?, ended_at = ?
       WHERE nonce = ? AND outcome IS NULL AND end_reason IS NULL`,
    ).run(reason, iso(endedAt), nonce);
    return Number(result.changes) === 1;
  }

  async supersedeReconnectAttempts(connectionId: string, keepNonce: string, endedAt: Date): Promise<number> {
    const result = this.sql(
      `UPDATE reconnect_attempts SET end_reason = 'superseded', ended_at = ?
       WHERE connection_id = ? AND nonce <> ? AND outcome IS NULL AND end_reason IS NULL`,
    ).run(iso(endedAt), connectionId, keepNonce);
    return Number(result.changes);
  }

  async listOpenReconnectAttempts(query: OpenAttemptQuery): Promise<readonly ReconnectAttempt[]> {
    return this.sql(
      `SELECT * FROM reconnect_attempts WHERE outcome IS NULL AND end_reason IS NULL
       AND (?1 IS NULL OR connection_id = ?1) AND (?2 IS NULL OR expires_at <= ?2)
       ORDER BY expires_at, nonce LIMIT ?3`,
    )
      .all(query.connectionId ?? null, query.expiredBy ? iso(query.expiredBy) : null, query.limit)
      .map(attemptFrom);
  }
}

export interface SqliteStoreOptions {
  readonly busyTimeoutMs?: number;
  /**
   * `full` (default): every commit (one per group of queued transactions) is fsynced before any of its callers is
   * answered, so a webhook acknowledged with a 2xx survives a process crash, an OS crash and a power loss.
   * `normal` (opt-in): with WAL, a commit survives a process crash (kill -9) and the file never corrupts, but the
   * last commits before a power loss or OS crash may roll back although they were acknowledged (the vendor does not
   * resend them; a status sweep heals the state, not the lost events). See docs/operations.md, "Durability".
   */
  readonly synchronous?: 'normal' | 'full';
  /**
   * WAL pages (4 KB) after which a commit checkpoints the WAL into the database file (fsyncing it). Default 10,000
   * (about 40 MB), SQLite's own default is 1,000: fewer checkpoints mean fewer fsyncs and hot pages (index roots,
   * the outbox tail) copied once per checkpoint instead of once per few dozen deliveries. The cost: the WAL file
   * grows to about that size before it is checkpointed (and is then truncated to 64 MB at most), readers search a
   * larger WAL index, and opening after a crash replays up to that much WAL. Durability is unchanged: a commit is
   * in the WAL either way.
   */
  readonly walAutocheckpointPages?: number;
}

const JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * The embedded store on `node:sqlite` (`DatabaseSync`): a file path (WAL journal, busy timeout for other
 * processes) or `':memory:'`. Transactions are serialised in-process (one connection handle) and use
 * `BEGIN IMMEDIATE`, so a second process writing the same file waits instead of failing mid-transaction.
 * `withConnectionLock` is an in-process mutex: run one writer process per file (use PostgreSQL for more).
 *
 * Group commit: transactions that queue up while one runs (concurrent webhook deliveries, say), or within one
 * phase of the event loop (an HTTP server's requests, one socket callback each), run one after another inside ONE
 * SQLite transaction and share its `COMMIT`. Each still sees the writes of those before it and
 * is atomic on its own; each caller's promise settles only after the shared `COMMIT` (or its failure). A commit
 * writes every page the group dirtied once, so under concurrency the WAL writes per transaction fall with the
 * group size. A group first runs without savepoints (a savepoint copies every page a transaction touches into
 * SQLite's statement journal: about a tenth of an ingested webhook's CPU); when one of its transactions fails,
 * the whole group rolls back and runs again with a savepoint per transaction, so only the failing one is lost.
 * A transaction's `fn` may therefore run twice, as it may on the PostgreSQL store and on `store_conflict` retries.
 */
export class SqliteConnectionStore extends TransactionalStore {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  readonly #queue: QueuedTransaction[] = [];
  #draining: Promise<void> | undefined;
  readonly #locks = new KeyedMutex();
  readonly #ops: SqliteOps;
  readonly #stats = { commits: 0, transactions: 0 };
  #closed = false;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    super();
    this.#db = new DatabaseSync(path);
    this.#db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    if (path !== ':memory:') {
      this.#db.exec('PRAGMA journal_mode = WAL');
      this.#db.exec(`PRAGMA synchronous = ${(options.synchronous ?? 'full').toUpperCase()}`);
      this.#db.exec(`PRAGMA wal_autocheckpoint = ${Math.trunc(options.walAutocheckpointPages ?? 10_000)}`);
      // After a checkpoint, shrink the WAL file back to this size instead of keeping its high-water mark.
      this.#db.exec(`PRAGMA journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
    }
    this.#db.exec('PRAGMA foreign_keys = ON');
    this.#migrate();
    this.#ops = new SqliteOps((query) => this.#statement(query));
  }

  /** The journal and sync settings in force on this handle (for operations tooling and tests). */
  get durability(): {
    readonly journalMode: string;
    readonly synchronous: 'off' | 'normal' | 'full' | 'extra';
    readonly walAutocheckpointPages: number;
  } {
    const journal = this.#db.prepare('PRAGMA journal_mode').get();
    const sync = Number(this.#db.prepare('PRAGMA synchronous').get()?.synchronous);
    const checkpoint = Number(this.#db.prepare('PRAGMA wal_autocheckpoint').get()?.wal_autocheckpoint);
    const levels = ['off', 'normal', 'full', 'extra'] as const;
    return {
      journalMode: String(journal?.journal_mode),
      synchronous: levels[sync] ?? 'full',
      walAutocheckpointPages: checkpoint,
    };
  }

  /** The schema version after migrations (for operations tooling and tests). */
  get schemaVersion(): number {
    const row = this.#db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get();
    return Number(row?.version ?? 0);
  }

  #migrate(): void {
    this.#db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
    );
    const applied = new Set(
      this.#db
        .prepare('SELECT version FROM schema_migrations')
        .all()
        .map((row) => Number(row.version)),
    );
    for (const migration of SQLITE_MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        this.#db.exec(migration.sql);
        this.#db
          .prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)')
          .run(migration.version, new Date().toISOString());
        this.#db.exec('COMMIT');
      } catch (error) {
        this.#db.exec('ROLLBACK');
        throw error;
      }
    }
  }

  #statement(query: string): StatementSync {
    let statement = this.#statements.get(query);
    if (!statement) {
      statement = this.#db.prepare(query);
      this.#statements.set(query, statement);
    }
    return statement;
  }

  /** Commits so far and the transactions they carried (transactions / commits = the mean group size). */
  get commitStats(): { readonly commits: number; readonly transactions: number } {
    return { ...this.#stats };
  }

  transaction<T>(fn: (tx: ConnectionStoreOps) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('The SQLite store is closed.'));
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      this.#draining ??= this.#drain();
    });
  }

  /** Runs queued transactions in groups until the queue is empty (see the class comment). */
  async #drain(): Promise<void> {
    try {
      // Start after the event loop's current I/O phase: the transactions of every request that arrived meanwhile
      // (an HTTP server's deliveries come one socket callback each, and pile up behind a commit's fsync) join the
      // first group, as do those queued by the same burst of work in-process.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.#queue.length > 0) {
        // A group that had to roll back is redone at once, isolated, before anything queued after it.
        if ((await this.#runGroup(false)) === 'isolate') await this.#runGroup(true);
      }
    } finally {
      // In the same synchronous step as the empty-queue check: a transaction queued from now on starts a drain.
      this.#draining = undefined;
    }
  }

  /**
   * Runs up to MAX_GROUP queued transactions under one BEGIN … COMMIT. `isolated`: each but the first in a
   * savepoint, so a failing one rolls back alone. Otherwise without savepoints; when one of them (not the first)
   * fails, everything rolls back, the group goes back to the head of the queue and `'isolate'` asks the caller to
   * run it again isolated.
   */
  async #runGroup(isolated: boolean): Promise<'done' | 'isolate'> {
    const done: { readonly queued: QueuedTransaction; readonly result: unknown }[] = [];
    let current: QueuedTransaction | undefined;
    let begun = false;
    try {
      this.#statement('BEGIN IMMEDIATE').run();
      begun = true;
      while (done.length < MAX_GROUP) {
        current = this.#queue.shift();
        if (!current) break;
        // The first of a group needs no savepoint: when it fails, the outer catch rolls the whole transaction back
        // and the next group starts afresh (so a lone transaction costs no more statements than without groups).
        const nested = done.length > 0;
        const savepoint = isolated && nested;
        if (savepoint) this.#statement(SAVEPOINT).run();
        try {
          const result = await current.fn(this.#ops);
          if (savepoint) this.#statement(RELEASE).run();
          done.push({ queued: current, result });
        } catch (error) {
          // SQLite may have rolled the whole transaction back itself (e.g. on SQLITE_FULL): then the group's
          // earlier transactions are gone too (the outer catch answers them), and ROLLBACK TO would mask the cause.
          if (!nested || !this.#db.isTransaction) throw error;
          if (!savepoint) {
            this.#db.exec('ROLLBACK');
            this.#queue.unshift(...done.map(({ queued }) => queued), current);
            return 'isolate';
          }
          this.#statement(ROLLBACK_TO).run();
          this.#statement(RELEASE).run();
          current.reject(error);
        }
        current = undefined;
      }
      this.#statement('COMMIT').run();
    } catch (error) {
      try {
        if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      } catch {
        // The original error is the one to report; a failed ROLLBACK leaves SQLite to roll back on its own.
      }
      // Nothing of this group is committed. If BEGIN itself failed (another process held the file past the busy
      // timeout), the transactions next in line fail with it, as each would have on its own.
      const failed = begun
        ? [...done.map(({ queued }) => queued), ...(current ? [current] : [])]
        : this.#queue.splice(0, MAX_GROUP);
      for (const queued of failed) queued.reject(error);
      return 'done';
    }
    this.#stats.commits += 1;
    this.#stats.transactions += done.length;
    for (const { queued, result } of done) queued.resolve(result);
    return 'done';
  }

  withConnectionLock<T>(connectionId: string, fn: () => Promise<T>): Promise<T> {
    return this.#locks.run(connectionId, fn);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Transactions already queued still run; new ones are refused from now on.
    while (this.#draining) await this.#draining;
    this.#db.close();
  }
}

/** A transaction waiting for its turn. */
interface QueuedTransaction {
  readonly fn: (tx: ConnectionStoreOps) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** Most transactions per shared commit: bounds how long the first of a group waits for its answer. */
const MAX_GROUP = 64;
const SAVEPOINT = 'SAVEPOINT reconnect_kit_tx';
const RELEASE = 'RELEASE reconnect_kit_tx';
const ROLLBACK_TO = 'ROLLBACK TO reconnect_kit_tx';
