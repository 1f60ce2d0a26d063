import type { Tables } from '../tables.js';
import type { Migration } from './migration.js';

/**
 * `expect_written` with a third argument: the current bodies of the connections a deferred transaction answered
 * from memory and found changed (see `RecentConnections`). They travel in the error's detail, with the row
 * counts, so that the transaction can run again without reading them first. The two-argument form stays for
 * instances not yet upgraded.
 */
export const currentOnMissMigration: Migration = {
  version: 7,
  name: 'current-on-miss',
  sql: (t: Tables) => `
    CREATE FUNCTION ${t.expectWritten}(actual bigint[], expected bigint[], current jsonb) RETURNS boolean
    LANGUAGE plpgsql AS $$
    BEGIN
      IF actual IS DISTINCT FROM expected THEN
        RAISE EXCEPTION 'deferred writes did not apply as assumed'
          USING ERRCODE = 'RKD01',
                DETAIL = jsonb_build_object('written', actual, 'current', coalesce(current, '[]'))::text;
      END IF;
      RETURN true;
    END $$;
  `,
};
