import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresConnectionStore } from './store.js';
import { connectionLockStates, dropSchema, randomSchemaName, testPool, waitFor } from './testing/database.js';

describe('withConnectionLock on PostgreSQL', () => {
  const schema = randomSchemaName();
  const observer = testPool(1);

  beforeAll(async () => {
    await new PostgresConnectionStore({ pool: observer, schema }).migrate();
  });
  afterAll(async () => {
    await observer.end();
    await dropSchema(schema);
  });

  it('never starves lock holders of clients: 4 locks on a 2-client pool all run their transactions', async () => {
    const pool = testPool(2);
    const store = new PostgresConnectionStore({ pool, schema });
    try {
      // Each holder keeps one client for the lock and needs a second one for its transaction; with every
      // client taken by a lock, this would wait forever.
      const ids = ['conn_1', 'conn_2', 'conn_3', 'conn_4'];
      await Promise.all(
        ids.map((id) =>
          store.withConnectionLock(id, () => store.transaction((tx) => tx.putSecrets(id, `sealed_${id}`))),
        ),
      );
      expect((await store.listSecrets(undefined, 10)).map((row) => row.connectionId)).toEqual(ids);
    } finally {
      await pool.end();
    }
  });

  it('hands the lock to the waiting instance when the holder’s session dies, without crashing the holder', async () => {
    const pools = [testPool(2), testPool(2)] as const;
    const [a, b] = pools.map((pool) => new PostgresConnectionStore({ pool, schema })) as [
      PostgresConnectionStore,
      PostgresConnectionStore,
    ];
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
        () => connectionLockStates(observer, schema, 'conn_dead'),
        (locks) => locks.granted === 1,
      );
      const second = b.withConnectionLock('conn_dead', async () => 'b ran');
      await waitFor(
        () => connectionLockStates(observer, schema, 'conn_dead'),
        (locks) => locks.waiting === 1,
      );
      // Kill the holder's session, as a crashed or partitioned instance would lose it.
      await observer.query(
        `SELECT pg_terminate_backend(pid) FROM pg_locks
         WHERE locktype = 'advisory' AND granted AND objid = hashtext($1)::oid`,
        ['conn_dead'],
      );
      expect(await second).toBe('b ran');
      release();
      expect(await first).toBe('a finished');
      // The dead client was discarded, not pooled: a's store keeps working.
      expect(await a.withConnectionLock('conn_dead', async () => 'again')).toBe('again');
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });
});
