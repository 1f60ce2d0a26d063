import { DatabaseSync } from 'node:sqlite';
import type { Pool } from 'pg';

/**
 * Read-only views of a store's tables, straight from the database (not through the store under test), for
 * the checks every reliability test shares. Table names are the same in the SQLite and PostgreSQL stores.
 */
export interface TableReader {
  rows(sql: (table: (name: string) => string) => string): Promise<Record<string, unknown>[]>;
  /** Database-level corruption checks; empty when healthy. */
  integrityProblems(): Promise<string[]>;
  close(): Promise<void>;
}

export function sqliteReader(path: string): TableReader {
  const db = new DatabaseSync(path, { readOnly: true });
  return {
    rows: async (sql) => db.prepare(sql((name) => name)).all() as Record<string, unknown>[],
    integrityProblems: async () => {
      const integrity = db
        .prepare('PRAGMA integrity_check')
        .all()
        .map((row) => String(Object.values(row)[0]));
      const foreignKeys = db.prepare('PRAGMA foreign_key_check').all();
      return [
        ...integrity.filter((line) => line !== 'ok'),
        ...foreignKeys.map((row) => `foreign key: ${JSON.stringify(row)}`),
      ];
    },
    close: async () => db.close(),
  };
}

export function postgresReader(pool: Pool, schema: string): TableReader {
  return {
    rows: async (sql) => (await pool.query(sql((name) => `${schema}.${name}`))).rows,
    // PostgreSQL survives a client's crash on its own; what can break is our data, checked below.
    integrityProblems: async () => [],
    close: async () => {},
  };
}

const parsed = (value: unknown): Record<string, unknown> =>
  (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;

/** The store's own invariants, checked on the raw rows. Returns the violations (empty when all hold). */
export async function storeInvariantViolations(reader: TableReader): Promise<string[]> {
  const problems = await reader.integrityProblems();
  const duplicates = await reader.rows(
    (t) => `SELECT provider, upstream_id, COUNT(*) AS n FROM ${t('connections')} WHERE live = TRUE
            GROUP BY provider, upstream_id HAVING COUNT(*) > 1`,
  );
  for (const row of duplicates) problems.push(`two live connections for ${row.provider}/${row.upstream_id}`);
  const connections = await reader.rows((t) => `SELECT id, state, version, body FROM ${t('connections')}`);
  const ids = new Set<unknown>();
  for (const row of connections) {
    ids.add(row.id);
    const body = parsed(row.body);
    if (body.id !== row.id || body.state !== row.state || Number(body.version) !== Number(row.version)) {
      problems.push(`connection ${String(row.id)}: body disagrees with its columns`);
    }
  }
  const outbox = await reader.rows((t) => `SELECT event_id, body FROM ${t('outbox')}`);
  for (const row of outbox) {
    const event = parsed(row.body);
    if (event.id !== row.event_id)
      problems.push(`outbox ${String(row.event_id)}: body has id ${String(event.id)}`);
    if (!ids.has(event.connectionId)) problems.push(`outbox ${String(row.event_id)}: unknown connection`);
  }
  const secrets = await reader.rows(
    (t) => `SELECT s.connection_id, c.state FROM ${t('secrets')} s LEFT JOIN ${t('connections')} c
            ON c.id = s.connection_id`,
  );
  for (const row of secrets) {
    if (row.state === null || row.state === 'revoked' || row.state === 'disconnected') {
      problems.push(`secrets kept for ${String(row.connection_id)} (${String(row.state)})`);
    }
  }
  return problems;
}

export async function inboundEventIds(reader: TableReader, provider: string): Promise<Set<string>> {
  const rows = await reader.rows(
    (t) => `SELECT event_id FROM ${t('inbound_events')} WHERE provider = '${provider.replace(/'/g, "''")}'`,
  );
  return new Set(rows.map((row) => String(row.event_id)));
}
