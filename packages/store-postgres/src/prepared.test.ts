import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresConnectionStore } from './store.js';
import { dropSchema, randomSchemaName, testPool } from './testing/database.js';

describe('named prepared statements', () => {
  const schema = randomSchemaName();
  const pool = testPool(1);

  beforeAll(async () => {
    await new PostgresConnectionStore({ pool, schema }).migrate();
  });
  afterAll(async () => {
    await pool.end();
    await dropSchema(schema);
  });

  async function preparedNames(): Promise<string[]> {
    const { rows } = await pool.query<{ name: string }>(
      'SELECT name FROM pg_prepared_statements ORDER BY name',
    );
    return rows.map((row) => row.name);
  }

  it('prepares the store’s statements once per session, but not those whose result follows the columns', async () => {
    const store = new PostgresConnectionStore({ pool, schema });
    await store.putSecrets('conn_1', 'sealed');
    expect(await store.getSecrets('conn_1')).toBe('sealed');
    const named = await preparedNames();
    expect(named.length).toBeGreaterThanOrEqual(2);
    expect(named.every((name) => name.startsWith('rk_'))).toBe(true);
    // `SELECT * FROM outbox` would break once a migration adds a column while this session keeps its plan.
    await store.listOutbox({ limit: 5 });
    expect(await preparedNames()).toEqual(named);
  });

  it('a rolling migration that adds a column does not break a session that already ran the statements', async () => {
    const store = new PostgresConnectionStore({ pool, schema });
    await store.getReconnectAttempt('nonce_1');
    await pool.query(`ALTER TABLE "${schema}".reconnect_attempts ADD COLUMN later_column text`);
    expect(await store.getReconnectAttempt('nonce_1')).toBeUndefined();
  });

  it('prepares the one write statement of a deferred transaction (the statement every webhook sends)', async () => {
    const store = new PostgresConnectionStore({ pool, schema });
    await store.transaction(async (tx) => {
      await tx.recordInboundEvent('example', 'evt_prepared', new Date());
    });
    const { rows } = await pool.query<{ name: string }>(
      `SELECT name FROM pg_prepared_statements WHERE statement LIKE 'WITH w0 AS (INSERT INTO%'`,
    );
    expect(rows.map((row) => row.name)).toEqual([expect.stringMatching(/^rk_/)]);
  });

  it('sends nothing named when turned off', async () => {
    const other = testPool(1);
    try {
      const store = new PostgresConnectionStore({ pool: other, schema, preparedStatements: false });
      await store.getSecrets('conn_1');
      const { rows } = await other.query('SELECT name FROM pg_prepared_statements');
      expect(rows).toEqual([]);
    } finally {
      await other.end();
    }
  });
});
