import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { tablesIn } from '../tables.js';

/** Test-only helpers: every test file works in its own randomly named schema, dropped at the end. */

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function randomSchemaName(): string {
  return `rk_test_${randomBytes(6).toString('hex')}`;
}

export function testPool(max = 4): Pool {
  return new Pool({ connectionString: DATABASE_URL, max });
}

export async function dropSchema(schemaName: string): Promise<void> {
  const pool = testPool(1);
  try {
    await pool.query(`DROP SCHEMA IF EXISTS ${tablesIn(schemaName).schema} CASCADE`);
  } finally {
    await pool.end();
  }
}

/** Empties every table of a migrated schema (DELETE: cheaper than TRUNCATE or a new schema for tiny tables). */
export async function emptyTables(pool: Pool, schemaName: string): Promise<void> {
  const t = tablesIn(schemaName);
  const tables = [
    t.connections,
    t.inboundEvents,
    t.ignoredSignals,
    t.outbox,
    t.secrets,
    t.reconnectAttempts,
    t.connectionLocks,
    t.sweepState,
    t.vendorBudget,
  ];
  await pool.query(tables.map((table) => `DELETE FROM ${table};`).join(' '));
}

/** The owner of a connection's lock lease (undefined when nobody holds it), as stored in `connection_locks`. */
export async function lockHolder(
  pool: Pool,
  schemaName: string,
  connectionId: string,
): Promise<string | undefined> {
  const { rows } = await pool.query<{ owner: string }>(
    `SELECT owner FROM ${tablesIn(schemaName).connectionLocks} WHERE connection_id = $1`,
    [connectionId],
  );
  return rows[0]?.owner;
}

/** Polls `probe` (no timers: each round is one database round trip) until `done` holds. */
export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  rounds = 2000,
): Promise<T> {
  for (let round = 0; round < rounds; round += 1) {
    const value = await probe();
    if (done(value)) return value;
  }
  throw new Error(`condition not reached after ${rounds} rounds`);
}
