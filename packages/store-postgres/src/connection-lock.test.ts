import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresConnectionStore } from './store.js';
import { dropSchema, lockHolder, randomSchemaName, testPool, waitFor } from './testing/database.js';

describe('withConnectionLock on PostgreSQL (lease rows)', () => {
  const schema = randomSchemaName();
  const observer = testPool(1);

  beforeAll(async () => {
    await new PostgresConnectionStore({ pool: observer, schema }).migrate();
  });
  afterAll(async () => {
    await observer.end();
    await dropSchema(schema);
  });

  it('holds no client while a lock is held: 4 locks on a 1-client pool all run their transactions', async () => {
    const pool = testPool(1);
    const store = new PostgresConnectionStore({ pool, schema });
    try {
      const ids = ['conn_1', 'conn_2', 'conn_3', 'conn_4'];
      await Promise.all(
        ids.map((id) =>
          store.withConnectionLock(id, () => store.transaction((tx) => tx.putSecrets(id, `sealed_${id}`))),
        ),
      );
      expect((await store.listSecrets(undefined, 10)).map((row) => row.connectionId)).toEqual(ids);
      for (const id of ids) expect(await lockHolder(observer, schema, id)).toBeUndefined();
    } finally {
      await pool.end();
    }
  });

  it('renews the lease while the holder runs: a live holder keeps the lock past its lease', async () => {
    const pools = [testPool(2), testPool(2)] as const;
    // Long enough that a renewal (every third of the lease) lands in time on a loaded machine.
    const a = new PostgresConnectionStore({ pool: pools[0], schema, lockLeaseMs: 400 });
    const b = new PostgresConnectionStore({ pool: pools[1], schema, lockLeaseMs: 400 });
    try {
      const log: string[] = [];
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const first = a.withConnectionLock('conn_live', async () => {
        log.push('a start');
        await held;
        log.push('a end');
      });
      await waitFor(
        () => lockHolder(observer, schema, 'conn_live'),
        (owner) => owner !== undefined,
      );
      const second = b.withConnectionLock('conn_live', async () => {
        log.push('b start');
      });
      // Four leases long: without renewal the lease would have run out and b would have entered.
      await sleep(1_600);
      expect(log).toEqual(['a start']);
      release();
      await Promise.all([first, second]);
      expect(log).toEqual(['a start', 'a end', 'b start']);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it('frees a crashed holder’s lock once its lease runs out; the waiting instance enters', async () => {
    const crashed = testPool(2);
    const live = testPool(2);
    const a = new PostgresConnectionStore({ pool: crashed, schema, lockLeaseMs: 200 });
    const b = new PostgresConnectionStore({ pool: live, schema });
    try {
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const first = a.withConnectionLock('conn_dead', async () => {
        await held;
        return 'a finished';
      });
      await waitFor(
        () => lockHolder(observer, schema, 'conn_dead'),
        (value) => value !== undefined,
      );
      // The holder loses the database as a crashed instance would: no more renewals, no release.
      await crashed.end();
      expect(await b.withConnectionLock('conn_dead', async () => 'b ran')).toBe('b ran');
      // The holder's function still finishes; its failed release does not surface.
      release();
      expect(await first).toBe('a finished');
      expect(await lockHolder(observer, schema, 'conn_dead')).toBeUndefined();
    } finally {
      await live.end();
    }
  });
});
