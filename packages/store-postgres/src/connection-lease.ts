import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queryable } from './ops.js';
import type { Tables } from './tables.js';

/** Default lease of a connection lock: long enough for a vendor code exchange plus one transaction. */
export const DEFAULT_LOCK_LEASE_MS = 30_000;

/** Waiters poll for a taken lock; the pause doubles from the first to the last value. */
const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 200;

/**
 * Connection locks as lease rows (`connection_locks`): taking one is a single statement that inserts the row or
 * takes over an expired one, and every lease time is on the database's clock (`clock_timestamp()`), so clock
 * skew between instances does not matter. Nothing is held between statements, so this works through
 * transaction-mode poolers and a holder keeps no pool client while its function runs. The holder renews its
 * lease every third of the lease; a holder that dies stops renewing, and its lock is free once the lease ends.
 */
export class ConnectionLeases {
  readonly #db: Queryable;
  readonly #t: Tables;
  readonly #leaseMs: number;

  constructor(db: Queryable, tables: Tables, leaseMs: number) {
    this.#db = db;
    this.#t = tables;
    this.#leaseMs = leaseMs;
  }

  async run<T>(connectionId: string, fn: () => Promise<T>): Promise<T> {
    const owner = randomUUID();
    await this.#acquire(connectionId, owner);
    const renewal = setInterval(() => {
      // A failed renewal is retried on the next tick; if the lease still runs out (a stall or an outage longer
      // than the lease), another instance may enter, and the stored single outcome decides (see docs).
      this.#renew(connectionId, owner).catch(() => {});
    }, this.#leaseMs / 3);
    renewal.unref();
    try {
      return await fn();
    } finally {
      clearInterval(renewal);
      // If the release fails, the lease runs out by itself.
      await this.#release(connectionId, owner).catch(() => {});
    }
  }

  async #acquire(connectionId: string, owner: string): Promise<void> {
    let pause = FIRST_POLL_MS;
    for (;;) {
      const { rowCount } = await this.#db.query(
        `INSERT INTO ${this.#t.connectionLocks} AS l (connection_id, owner, lease_until)
         VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
         ON CONFLICT (connection_id) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
         WHERE l.lease_until <= clock_timestamp()`,
        [connectionId, owner, this.#leaseMs],
      );
      if (rowCount === 1) return;
      await sleep(pause);
      pause = Math.min(pause * 2, MAX_POLL_MS);
    }
  }

  async #renew(connectionId: string, owner: string): Promise<void> {
    await this.#db.query(
      `UPDATE ${this.#t.connectionLocks} SET lease_until = clock_timestamp() + $3 * interval '1 millisecond'
       WHERE connection_id = $1 AND owner = $2`,
      [connectionId, owner, this.#leaseMs],
    );
  }

  async #release(connectionId: string, owner: string): Promise<void> {
    await this.#db.query(`DELETE FROM ${this.#t.connectionLocks} WHERE connection_id = $1 AND owner = $2`, [
      connectionId,
      owner,
    ]);
  }
}
