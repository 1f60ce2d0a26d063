import {
  type ConnectionStore,
  type ConnectionStoreOps,
  KeyedMutex,
  ReconnectKitError,
} from '@reconnect-kit/core';
import type { Pool } from 'pg';
import { ConnectionLeases, DEFAULT_LOCK_LEASE_MS } from './connection-lease.js';
import { type DeferredMiss, DeferredOps } from './deferred.js';
import { type MigrationReport, migrateSchema } from './migrate.js';
import { PostgresOps, type Queryable } from './ops.js';
import { preparing } from './prepared.js';
import { RecentConnections } from './recent-connections.js';
import { DEFAULT_SCHEMA, type Tables, tablesIn } from './tables.js';

export interface PostgresStoreOptions {
  readonly pool: Pool;
  /** Schema holding every table (created by `migrate()`). Default `reconnect_kit`. */
  readonly schema?: string;
  /** End the pool on `close()` (true when the store created the pool). Default false. */
  readonly ownsPool?: boolean;
  /**
   * Lease of a `withConnectionLock` lock in ms (renewed every third of it while the function runs); a crashed
   * holder's lock is free again after at most this long. Default 30 000.
   */
  readonly lockLeaseMs?: number;
  /**
   * Send parameterised statements as named prepared statements (parsed and planned once per session). Default
   * true; set false behind a pooler that does not track prepared statements across server connections (PgBouncer
   * before 1.21 in transaction mode, some managed poolers).
   */
  readonly preparedStatements?: boolean;
  /**
   * How many live connections this process remembers (least recently used dropped first), so that a transaction
   * reading one it has seen sends no read: the write statement checks the remembered version instead, and a
   * connection changed meanwhile by another instance makes the store redo the transaction. A webhook about a known
   * connection then costs one round trip instead of two. Default 10 000 (about 2 KB each); 0 turns it off.
   */
  readonly recentConnections?: number;
}

const DEFAULT_RECENT_CONNECTIONS = 10_000;

/**
 * The `ConnectionStore` on PostgreSQL, for several app instances sharing one database:
 * - single operations are single statements on the pool; `transaction(fn)` runs `fn` with its writes deferred
 *   into one atomic statement (see `DeferredOps`), falling back to BEGIN … COMMIT on one client (READ
 *   COMMITTED); conflicts surface as `store_conflict` from the optimistic version check or the unique indexes,
 *   and the service retries the whole transaction;
 * - inbound dedupe is the primary key (provider, event_id), so it holds across instances;
 * - outbox claims use `FOR UPDATE SKIP LOCKED` plus a lease;
 * - `withConnectionLock` holds a lease row (see `ConnectionLeases`), so completions of one connection
 *   serialize across every process using the same schema, also through transaction-mode poolers.
 * Call `migrate()` once before use (`createPostgresStore` does).
 */
export class PostgresConnectionStore extends PostgresOps implements ConnectionStore {
  readonly #pool: Pool;
  readonly #tables: Tables;
  readonly #ownsPool: boolean;
  readonly #prepared: boolean;
  readonly #leases: ConnectionLeases;
  readonly #recent: RecentConnections;
  /** Callers in this process queue here first (FIFO); only one per id polls the database for the lease. */
  readonly #localLocks = new KeyedMutex();
  /** Shared with the guarded pool handed to the operations. */
  readonly #status: { closed: boolean };

  constructor(options: PostgresStoreOptions) {
    const tables = tablesIn(options.schema ?? DEFAULT_SCHEMA);
    const pool = options.pool;
    const status = { closed: false };
    const prepared = options.preparedStatements ?? true;
    const onPool = preparing(pool, prepared);
    const guarded: Queryable = {
      query: (text, values) => (status.closed ? Promise.reject(closedError()) : onPool.query(text, values)),
    };
    const recent = new RecentConnections(options.recentConnections ?? DEFAULT_RECENT_CONNECTIONS);
    super(guarded, tables, recent);
    this.#recent = recent;
    this.#status = status;
    this.#pool = pool;
    this.#tables = tables;
    this.#ownsPool = options.ownsPool ?? false;
    this.#prepared = prepared;
    this.#leases = new ConnectionLeases(guarded, tables, options.lockLeaseMs ?? DEFAULT_LOCK_LEASE_MS);
  }

  /** The schema this store reads and writes. */
  get schema(): string {
    return this.#tables.schemaName;
  }

  /** Creates the schema and applies pending migrations (idempotent, safe to run from many instances at once). */
  migrate(): Promise<MigrationReport> {
    if (this.#status.closed) return Promise.reject(closedError());
    return migrateSchema(this.#pool, this.#tables);
  }

  /**
   * Runs `fn` as a deferred transaction (see `DeferredOps`: its writes cost one round trip); when one of the
   * assumptions made for its buffered writes did not hold, runs `fn` again: deferred once more when the miss
   * was a duplicate inbound event or a remembered connection that had changed (both now answered from what the
   * miss reported), classic otherwise. So `fn`
   * may run more than once, as it already may when the caller retries on `store_conflict`.
   */
  async transaction<T>(fn: (tx: ConnectionStoreOps) => Promise<T>): Promise<T> {
    if (this.#status.closed) throw closedError();
    const first = await this.#deferred(fn, new Set());
    if ('value' in first) return first.value;
    if (first.miss.duplicates || first.miss.current) {
      const second = await this.#deferred(fn, first.miss.duplicates ?? new Set());
      if ('value' in second) return second.value;
    }
    return this.#classic(fn);
  }

  async #deferred<T>(
    fn: (tx: ConnectionStoreOps) => Promise<T>,
    knownDuplicates: ReadonlySet<string>,
  ): Promise<{ value: T } | { miss: DeferredMiss }> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    const tx = new DeferredOps(
      preparing(client, this.#prepared),
      this.#tables,
      knownDuplicates,
      this.#recent,
    );
    try {
      let value: T;
      try {
        value = await fn(tx);
        await tx.finish();
      } catch (error) {
        tx.discard();
        if (tx.promoted) {
          await client.query('ROLLBACK').catch((rollbackError: Error) => {
            broken = rollbackError;
          });
        }
        // A missed assumption may be what made `fn` fail: redo the work instead of reporting it.
        if (tx.missed) return { miss: tx.missed };
        throw asConflict(error);
      }
      // `fn` may have swallowed the miss (a promoted run's COMMIT then only rolled back).
      if (tx.missed) {
        tx.discard();
        return { miss: tx.missed };
      }
      tx.rememberCommitted();
      return { value };
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  /** BEGIN, every call at once on one client, COMMIT. */
  async #classic<T>(fn: (tx: ConnectionStoreOps) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken = error;
    };
    // A session that dies between two queries makes the client emit 'error' (a crash without a listener).
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      try {
        const result = await fn(
          new PostgresOps(preparing(client, this.#prepared), this.#tables, this.#recent),
        );
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw asConflict(error);
      }
    } finally {
      client.off('error', onError);
      // A client whose session died or whose rollback failed is in an unknown state: destroy it.
      client.release(broken);
    }
  }

  withConnectionLock<T>(connectionId: string, fn: () => Promise<T>): Promise<T> {
    if (this.#status.closed) return Promise.reject(closedError());
    return this.#localLocks.run(connectionId, () => this.#leases.run(connectionId, fn));
  }

  /** Stops accepting calls; ends the pool if the store created it. Idempotent. */
  async close(): Promise<void> {
    if (this.#status.closed) return;
    this.#status.closed = true;
    if (this.#ownsPool) await this.#pool.end();
  }
}

/** PostgreSQL aborts one of two deadlocked transactions; like a version clash, retrying the whole one is the fix. */
const RETRYABLE = new Set(['40P01', '40001']);

function asConflict(error: unknown): unknown {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== 'string' || !RETRYABLE.has(code)) return error;
  return new ReconnectKitError('store_conflict', {
    message: 'The transaction was aborted by a concurrent one; retry it.',
    details: { sqlState: code },
    cause: error,
  });
}

function closedError(): Error {
  return new Error('The PostgreSQL store is closed.');
}
