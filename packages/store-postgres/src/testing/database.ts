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
  const tables = [t.connections, t.inboundEvents, t.ignoredSignals, t.outbox, t.secrets, t.reconnectAttempts];
  await pool.query(tables.map((table) => `DELETE FROM ${table};`).join(' '));
}

/**
 * Advisory connection locks of a schema as pg_locks shows them (granted or waiting), to prove that a second
 * holder really waits in the database rather than merely running later.
 */
export async function connectionLockStates(
  pool: Pool,
  schemaName: string,
  connectionId: string,
): Promise<{ granted: number; waiting: number }> {
  const { rows } = await pool.query<{ granted: boolean }>(
    `SELECT granted FROM pg_locks
     WHERE locktype = 'advisory' AND objsubid = 2
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND classid = hashtext($1)::oid AND objid = hashtext($2)::oid`,
    [`reconnect-kit:${schemaName}:connection`, connectionId],
  );
  return {
    granted: rows.filter((row) => row.granted).length,
    waiting: rows.filter((row) => !row.granted).length,
  };
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
