import type { Pool } from 'pg';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import type { Tables } from './tables.js';

export interface MigrationReport {
  /** Versions this call applied (empty when the schema was already current). */
  readonly applied: readonly number[];
  /** The highest version in the schema afterwards. */
  readonly version: number;
}

/** Advisory-lock namespace of migrations; the second key is the schema, so schemas migrate independently. */
const MIGRATION_LOCK = 'reconnect-kit:migrate';

/**
 * Creates the schema if needed and applies the missing migrations, all in one transaction that holds a
 * transaction-scoped advisory lock: instances starting together queue up, and each later one finds the
 * versions already recorded and applies nothing. A failed migration rolls back completely.
 */
export async function migrateSchema(
  pool: Pool,
  tables: Tables,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationReport> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    try {
      // Taken before CREATE SCHEMA: concurrent `CREATE SCHEMA IF NOT EXISTS` can otherwise fail on a race.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [
        MIGRATION_LOCK,
        tables.schemaName,
      ]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${tables.schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${tables.migrations} (
           version integer PRIMARY KEY,
           name text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${tables.migrations}`);
      const done = new Set(rows.map((row) => row.version));
      const applied: number[] = [];
      for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
        if (done.has(migration.version)) continue;
        await client.query(migration.sql(tables));
        await client.query(`INSERT INTO ${tables.migrations} (version, name) VALUES ($1, $2)`, [
          migration.version,
          migration.name,
        ]);
        applied.push(migration.version);
      }
      await client.query('COMMIT');
      return { applied, version: Math.max(0, ...done, ...applied) };
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    }
  } finally {
    client.release(broken);
  }
}
