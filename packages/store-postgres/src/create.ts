import { CONNECTION_STORE } from '@reconnect-kit/core';
import { Pool } from 'pg';
import type { DependencyContainer } from 'tsyringe';
import { type PostgresStoreConfig, parsePostgresStoreConfig } from './config.js';
import { PostgresConnectionStore } from './store.js';

/**
 * Validates `config` (`config_invalid` names the bad field), opens the store on the given pool or a new one,
 * and applies pending migrations unless `migrate: false`.
 */
export async function createPostgresStore(config: PostgresStoreConfig): Promise<PostgresConnectionStore> {
  const parsed = parsePostgresStoreConfig(config);
  const ownsPool = parsed.pool === undefined;
  const pool =
    parsed.pool ?? new Pool({ connectionString: parsed.connectionString, max: parsed.poolSize ?? 10 });
  // An idle client that loses its connection emits 'error' on the pool; the pool already drops it and the
  // next query opens a fresh one, so only keep the event from crashing the process.
  if (ownsPool) pool.on('error', () => {});
  const store = new PostgresConnectionStore({
    pool,
    schema: parsed.schema,
    ownsPool,
    lockLeaseMs: parsed.lockLeaseMs,
    preparedStatements: parsed.preparedStatements,
    recentConnections: parsed.recentConnections,
  });
  if (parsed.migrate) {
    try {
      await store.migrate();
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}

/**
 * Creates the store (see `createPostgresStore`) and registers it under `CONNECTION_STORE`. Call it after
 * `registerReconnectKit` (the later registration wins), or pass the store to `registerReconnectKit` as `store`
 * instead. Nothing is registered when the config is invalid or the migration fails.
 */
export async function registerPostgresStore(
  container: DependencyContainer,
  config: PostgresStoreConfig,
): Promise<PostgresConnectionStore> {
  const store = await createPostgresStore(config);
  container.register(CONNECTION_STORE, { useValue: store });
  return store;
}
