export type { PostgresStoreConfig } from './config.js';
export { postgresStoreConfigSchema } from './config.js';
export { createPostgresStore, registerPostgresStore } from './create.js';
export type { MigrationReport } from './migrate.js';
export type { Migration } from './migrations/index.js';
export { MIGRATIONS } from './migrations/index.js';
export type { PostgresStoreOptions } from './store.js';
export { PostgresConnectionStore } from './store.js';
export { DEFAULT_SCHEMA } from './tables.js';
