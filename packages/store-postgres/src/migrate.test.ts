import { isReconnectKitError } from '@reconnect-kit/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { migrateSchema } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import { PostgresConnectionStore } from './store.js';
import { tablesIn } from './tables.js';
import { dropSchema, randomSchemaName, testPool } from './testing/database.js';

describe('migrations', () => {
  const pools = [testPool(2), testPool(2)] as const;
  const [poolA] = pools;
  let schema = '';

  afterEach(async () => {
    await dropSchema(schema);
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
  });

  async function recordedVersions(): Promise<number[]> {
    const { rows } = await poolA.query<{ version: number }>(
      `SELECT version FROM ${tablesIn(schema).migrations} ORDER BY version`,
    );
    return rows.map((row) => row.version);
  }

  async function tableNames(): Promise<string[]> {
    const { rows } = await poolA.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    );
    return rows.map((row) => row.table_name);
  }

  it('creates the schema and its tables, records each version once; a second run applies nothing', async () => {
    schema = randomSchemaName();
    const store = new PostgresConnectionStore({ pool: poolA, schema });
    const latest = Math.max(...MIGRATIONS.map((m) => m.version));
    expect(await store.migrate()).toEqual({ applied: MIGRATIONS.map((m) => m.version), version: latest });
    expect(await store.migrate()).toEqual({ applied: [], version: latest });
    expect(await recordedVersions()).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await tableNames()).toEqual([
      'connection_locks',
      'connections',
      'ignored_signals',
      'inbound_events',
      'outbox',
      'reconnect_attempts',
      'schema_migrations',
      'secrets',
      'sweep_state',
      'vendor_budget',
    ]);
  });

  it('two instances migrating a fresh schema at once: one applies, the other finds it done', async () => {
    schema = randomSchemaName();
    const reports = await Promise.all(
      pools.map((pool) => new PostgresConnectionStore({ pool, schema }).migrate()),
    );
    expect(reports.map((r) => r.applied.length).sort()).toEqual([0, MIGRATIONS.length]);
    expect(await recordedVersions()).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('rolls a failing migration back completely, schema included', async () => {
    schema = randomSchemaName();
    const broken = [
      ...MIGRATIONS,
      { version: 999, name: 'broken', sql: () => 'CREATE TABLE half_done (id int); SELECT 1 / 0;' },
    ];
    await expect(migrateSchema(poolA, tablesIn(schema), broken)).rejects.toThrow(/division by zero/);
    expect(await tableNames()).toEqual([]);
    expect((await migrateSchema(poolA, tablesIn(schema))).applied).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('rejects a schema name that would need quoting, naming the field', () => {
    for (const bad of [
      'Upper',
      'has-dash',
      '1starts_with_digit',
      'x'.repeat(64),
      'a"; DROP SCHEMA public; --',
    ]) {
      try {
        new PostgresConnectionStore({ pool: poolA, schema: bad });
        expect.unreachable(`accepted ${bad}`);
      } catch (error) {
        expect(isReconnectKitError(error, 'config_invalid')).toBe(true);
        expect((error as { details: { field: string } }).details.field).toBe('schema');
      }
    }
  });
});
