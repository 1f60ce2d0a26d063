import { parseConfig } from '@reconnect-kit/core';
import { Pool } from 'pg';
import { z } from 'zod';
import { DEFAULT_SCHEMA, SCHEMA_NAME_PATTERN } from './tables.js';

const isPool = (value: unknown): value is Pool =>
  value instanceof Pool ||
  (typeof value === 'object' &&
    value !== null &&
    ['connect', 'query', 'end'].every((m) => typeof (value as Record<string, unknown>)[m] === 'function'));

export const postgresStoreConfigSchema = z
  .object({
    /** `postgres://user:password@host:port/database`; the store creates (and on close ends) its own pool. */
    connectionString: z.string().min(1, 'must not be empty').optional(),
    /** An existing `pg` Pool; the store never ends it. */
    pool: z.custom<Pool>(isPool, 'must be a pg Pool').optional(),
    /** Schema for every table. Default `reconnect_kit`. */
    schema: z
      .string()
      .regex(SCHEMA_NAME_PATTERN, 'must be 1-63 characters of a-z, 0-9 and _, not starting with a digit')
      .default(DEFAULT_SCHEMA),
    /** Apply pending migrations when the store is created. Default true. */
    migrate: z.boolean().default(true),
    /** Pool size when the store creates the pool (`connectionString`). Default 10. */
    poolSize: z.number().int().min(2).max(1000).optional(),
    /** See `PostgresStoreOptions.lockLeaseMs`. */
    lockLeaseMs: z.number().int().min(100).max(3_600_000).optional(),
    /** See `PostgresStoreOptions.preparedStatements`. */
    preparedStatements: z.boolean().optional(),
    /** See `PostgresStoreOptions.recentConnections`. */
    recentConnections: z.number().int().min(0).max(10_000_000).optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    if ((config.connectionString === undefined) === (config.pool === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['connectionString'],
        message: 'give exactly one of connectionString or pool',
      });
    }
    if (config.pool !== undefined && config.poolSize !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['poolSize'], message: 'only applies with connectionString' });
    }
  });

export type PostgresStoreConfig = z.input<typeof postgresStoreConfigSchema>;
export type ParsedPostgresStoreConfig = z.output<typeof postgresStoreConfigSchema>;

/** Validates the config: `config_invalid` names the bad field and never echoes values (a URL may hold a password). */
export function parsePostgresStoreConfig(input: unknown): ParsedPostgresStoreConfig {
  return parseConfig(postgresStoreConfigSchema, input, '');
}
