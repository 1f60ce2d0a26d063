import { describeConnectionStoreSuite } from '@reconnect-kit/core/testing/store-suite';
import { afterAll, beforeAll } from 'vitest';
import { PostgresConnectionStore } from './store.js';
import { dropSchema, emptyTables, randomSchemaName, testPool } from './testing/database.js';

const schema = randomSchemaName();
const pool = testPool(12);

beforeAll(async () => {
  await new PostgresConnectionStore({ pool, schema }).migrate();
});

afterAll(async () => {
  await pool.end();
  await dropSchema(schema);
});

describeConnectionStoreSuite('PostgresConnectionStore', async () => {
  await emptyTables(pool, schema);
  const store = new PostgresConnectionStore({ pool, schema });
  return { store, cleanup: () => store.close() };
});
