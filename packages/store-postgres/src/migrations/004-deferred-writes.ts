import type { Tables } from '../tables.js';
import type { Migration } from './migration.js';

/**
 * The check that ends a deferred transaction's single write statement (see `DeferredOps`): when a write did not
 * touch the rows it was assumed to (a duplicate inbound event, a moved version), it raises `RKD01` with the actual
 * row counts, which aborts the whole statement, so none of its writes happen.
 */
export const deferredWritesMigration: Migration = {
  version: 4,
  name: 'deferred-writes',
  sql: (t: Tables) => `
    CREATE FUNCTION ${t.expectWritten}(actual bigint[], expected bigint[]) RETURNS boolean
    LANGUAGE plpgsql AS $$
    BEGIN
      IF actual IS DISTINCT FROM expected THEN
        RAISE EXCEPTION 'deferred writes did not apply as assumed'
          USING ERRCODE = 'RKD01', DETAIL = array_to_string(actual, ',');
      END IF;
      RETURN true;
    END $$;
  `,
};
