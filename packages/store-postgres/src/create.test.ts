import { CONNECTION_STORE, isReconnectKitError } from '@reconnect-kit/core';
import { container as rootContainer } from 'tsyringe';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStoreConfig, registerPostgresStore } from './index.js';
import { PostgresConnectionStore } from './store.js';
import { DATABASE_URL, dropSchema, randomSchemaName, testPool } from './testing/database.js';

describe('createPostgresStore / registerPostgresStore', () => {
  const schemas: string[] = [];
  const newSchema = () => {
    const schema = randomSchemaName();
    schemas.push(schema);
    return schema;
  };
  afterAll(async () => {
    await Promise.all(schemas.map(dropSchema));
  });

  it('registers a migrated store under CONNECTION_STORE', async () => {
    const container = rootContainer.createChildContainer();
    const schema = newSchema();
    const store = await registerPostgresStore(container, { connectionString: DATABASE_URL, schema });
    try {
      expect(container.resolve(CONNECTION_STORE)).toBe(store);
      expect(store).toBeInstanceOf(PostgresConnectionStore);
      expect(store.schema).toBe(schema);
      await store.putSecrets('conn_1', 'sealed');
      expect(await store.getSecrets('conn_1')).toBe('sealed');
    } finally {
      await store.close();
      await store.close();
    }
    await expect(store.getSecrets('conn_1')).rejects.toThrow('closed');
  });

  it('uses a given pool and never ends it; migrate: false leaves the database alone', async () => {
    const pool = testPool(2);
    try {
      const schema = newSchema();
      const store = await createPostgresStore({ pool, schema, migrate: false });
      const { rowCount } = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      expect(rowCount).toBe(0);
      await store.migrate();
      await store.close();
      expect((await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount).toBe(1);
    } finally {
      await pool.end();
    }
  });

  const bad: readonly [string, Record<string, unknown>][] = [
    ['connectionString', {}],
    ['connectionString', { connectionString: DATABASE_URL, pool: testPool(1) }],
    ['connectionString', { connectionString: '' }],
    ['pool', { pool: { query: 'not a pool' } }],
    ['schema', { connectionString: 'postgres://app:s3cret-pw@db.invalid/app', schema: 'Bad"Name' }],
    ['poolSize', { connectionString: DATABASE_URL, poolSize: 1 }],
    ['lockLeaseMs', { connectionString: DATABASE_URL, lockLeaseMs: 0 }],
    ['preparedStatements', { connectionString: DATABASE_URL, preparedStatements: 'yes' }],
    ['migrate', { connectionString: DATABASE_URL, migrate: 'yes' }],
    ['unknownOption', { connectionString: DATABASE_URL, unknownOption: 1 }],
  ];

  it.each(bad)(
    'rejects a bad %s with config_invalid naming it, registering nothing',
    async (field, config) => {
      const container = rootContainer.createChildContainer();
      const error = await registerPostgresStore(container, config as PostgresStoreConfig).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isReconnectKitError(error, 'config_invalid')).toBe(true);
      expect((error as { details: { field: string } }).details.field).toBe(field);
      expect((error as Error).message).toContain(`"${field}"`);
      expect(JSON.stringify(error)).not.toContain('s3cret-pw');
      expect((error as Error).message).not.toContain('s3cret-pw');
      expect(container.isRegistered(CONNECTION_STORE)).toBe(false);
    },
  );
});
