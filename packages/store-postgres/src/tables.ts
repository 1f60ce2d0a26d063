import { ReconnectKitError } from '@reconnect-kit/core';

/** The default PostgreSQL schema that holds every Reconnect Kit table. */
export const DEFAULT_SCHEMA = 'reconnect_kit';

/** Lower-case identifiers only, so the name never needs escaping and means the same quoted or not. */
export const SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** Schema-qualified, quoted table names: every statement names its tables through this. */
export interface Tables {
  /** The unquoted schema name (as configured). */
  readonly schemaName: string;
  readonly schema: string;
  readonly migrations: string;
  readonly connections: string;
  readonly inboundEvents: string;
  readonly ignoredSignals: string;
  readonly outbox: string;
  readonly secrets: string;
  readonly reconnectAttempts: string;
  readonly connectionLocks: string;
  readonly sweepState: string;
  readonly vendorBudget: string;
  /** Not a table: the function that checks a deferred transaction's writes (migration 4). */
  readonly expectWritten: string;
}

export function tablesIn(schemaName: string): Tables {
  if (!SCHEMA_NAME_PATTERN.test(schemaName)) {
    throw new ReconnectKitError('config_invalid', {
      message:
        'Invalid configuration at "schema": use 1-63 characters of a-z, 0-9 and _, not starting with a digit.',
      details: { field: 'schema' },
    });
  }
  const schema = `"${schemaName}"`;
  return {
    schemaName,
    schema,
    migrations: `${schema}.schema_migrations`,
    connections: `${schema}.connections`,
    inboundEvents: `${schema}.inbound_events`,
    ignoredSignals: `${schema}.ignored_signals`,
    outbox: `${schema}.outbox`,
    secrets: `${schema}.secrets`,
    reconnectAttempts: `${schema}.reconnect_attempts`,
    connectionLocks: `${schema}.connection_locks`,
    sweepState: `${schema}.sweep_state`,
    vendorBudget: `${schema}.vendor_budget`,
    expectWritten: `${schema}.expect_written`,
  };
}
