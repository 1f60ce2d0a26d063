import type { Tables } from '../tables.js';
import type { Migration } from './migration.js';

/** Fleet sweeps: when each connection's next status check is due, and which sweeper holds it meanwhile. */
export const sweepStateMigration: Migration = {
  version: 5,
  name: 'sweep-state',
  sql: (t: Tables) => `
    CREATE TABLE ${t.sweepState} (
      connection_id text COLLATE "C" PRIMARY KEY,
      due_at timestamptz NOT NULL,
      lease_owner text,
      lease_until timestamptz
    );
  `,
};
