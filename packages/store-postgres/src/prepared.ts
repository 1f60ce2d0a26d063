import { createHash } from 'node:crypto';
import type { QueryConfig, QueryResult, QueryResultRow } from 'pg';
import type { Queryable } from './ops.js';

/** What `pg`'s Pool and PoolClient offer: a query from a config (text, values and an optional statement name). */
export interface ConfigQueryable {
  query<R extends QueryResultRow = QueryResultRow>(config: QueryConfig): Promise<QueryResult<R>>;
}

const names = new Map<string, string | null>();

/**
 * A `SELECT *` or `RETURNING *` result follows the table's columns: a prepared one fails ("cached plan must not
 * change result type") once a migration adds a column during a rolling deploy, so those stay unnamed.
 */
const STAR_RESULT = /\b(?:SELECT|RETURNING)\s+(?:\w+\.)?\*/i;

/** A stable name per statement text (every store statement's text is one of a small, fixed set); null: unnamed. */
function nameOf(text: string): string | null {
  let name = names.get(text);
  if (name === undefined) {
    name = STAR_RESULT.test(text)
      ? null
      : `rk_${createHash('sha256').update(text).digest('base64url').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * Sends the store's parameterised statements as named prepared statements: PostgreSQL parses and plans each text
 * once per session instead of on every call (a deferred transaction's write statement is several CTEs; naming it
 * made it about 1.6 times as fast on the build machine). Statements without parameters (BEGIN, COMMIT) go as they
 * are. Not for poolers that move a session's statements between server connections without tracking prepared
 * statements (PgBouncer before 1.21 in transaction mode): turn it off there (`preparedStatements: false`).
 */
export function preparing(db: ConfigQueryable, enabled: boolean): Queryable {
  return {
    query: <R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]) => {
      const name = enabled && values !== undefined && values.length > 0 ? nameOf(text) : null;
      return db.query<R>(name === null ? { text, values } : { name, text, values });
    },
  };
}
