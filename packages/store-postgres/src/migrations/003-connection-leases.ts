import type { Tables } from '../tables.js';
import type { Migration } from './migration.js';

/**
 * Connection locks as lease rows instead of session advisory locks: a row (holder, lease end on the database's
 * clock) works through transaction-mode poolers, holds no connection while the lock is held, and a crashed
 * holder's lease simply runs out.
 */
export const connectionLeasesMigration: Migration = {
  version: 3,
  name: 'connection-leases',
  sql: (t: Tables) => `
    CREATE TABLE ${t.connectionLocks} (
      connection_id text COLLATE "C" PRIMARY KEY,
      owner text NOT NULL,
      lease_until timestamptz NOT NULL
    );
  `,
};
