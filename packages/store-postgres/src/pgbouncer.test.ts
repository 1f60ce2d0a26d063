import { describeConnectionStoreSuite } from '@reconnect-kit/core/testing/store-suite';
import { Client, Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresConnectionStore } from './store.js';
import { dropSchema, emptyTables, lockHolder, randomSchemaName, waitFor } from './testing/database.js';
import { pgBouncerBinary, type RunningPgBouncer, startPgBouncer } from './testing/pgbouncer.js';

/**
 * The shared store suite again, with every statement going through a real PgBouncer in transaction pooling mode
 * (consecutive transactions of one pool client may run on different server sessions).
 */
const installed = pgBouncerBinary() !== undefined;
if (!installed && process.env.CI) {
  throw new Error(
    'PgBouncer is required in CI for the transaction-pooling store tests: apt-get install -y pgbouncer',
  );
}
if (!installed) {
  console.warn(
    '[store-postgres] pgbouncer is not installed: skipping the PgBouncer tests (apt-get install -y pgbouncer)',
  );
}

describe.skipIf(!installed)('through PgBouncer in transaction pooling mode', () => {
  const schema = randomSchemaName();
  let bouncer: RunningPgBouncer;
  let pool: Pool;

  beforeAll(async () => {
    bouncer = await startPgBouncer({ poolSize: 4 });
    pool = new Pool({ connectionString: bouncer.connectionString, max: 12 });
    await new PostgresConnectionStore({ pool, schema, preparedStatements: false }).migrate();
  });
  afterAll(async () => {
    await pool?.end();
    await bouncer?.stop();
    await dropSchema(schema);
  });

  it('really pools by transaction', async () => {
    const admin = new Client({ connectionString: bouncer.adminConnectionString });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ database: string; pool_mode: string }>('SHOW POOLS');
      expect(rows.find((row) => row.database !== 'pgbouncer')?.pool_mode).toBe('transaction');
    } finally {
      await admin.end();
    }
  });

  describeConnectionStoreSuite(
    'PostgresConnectionStore through PgBouncer (transaction pooling)',
    async () => {
      await emptyTables(pool, schema);
      // PgBouncer 1.18 does not track prepared statements in transaction mode.
      const store = new PostgresConnectionStore({ pool, schema, preparedStatements: false });
      return { store, cleanup: () => store.close() };
    },
  );

  it('serializes one connection’s lock across two instances behind the pooler', async () => {
    const other = new Pool({ connectionString: bouncer.connectionString, max: 4 });
    const a = new PostgresConnectionStore({ pool, schema, preparedStatements: false });
    const b = new PostgresConnectionStore({ pool: other, schema, preparedStatements: false });
    try {
      const log: string[] = [];
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const first = a.withConnectionLock('conn_pooled', async () => {
        log.push('a start');
        await held;
        log.push('a end');
      });
      await waitFor(
        () => lockHolder(pool, schema, 'conn_pooled'),
        (owner) => owner !== undefined,
      );
      const second = b.withConnectionLock('conn_pooled', async () => {
        log.push('b start');
      });
      // b's lease polls run (each on whichever server session the pooler hands out) while a holds the lock.
      expect(await b.withConnectionLock('conn_other', async () => 'other')).toBe('other');
      expect(log).toEqual(['a start']);
      release();
      await Promise.all([first, second]);
      expect(log).toEqual(['a start', 'a end', 'b start']);
    } finally {
      await other.end();
    }
  });
});
