import type { Tables } from '../tables.js';
import type { Migration } from './migration.js';

/**
 * The fleet's vendor call budget: per provider, the next free call slot and a pause (Retry-After), both on the
 * database's clock so that the instances' clocks play no part.
 */
export const vendorBudgetMigration: Migration = {
  version: 6,
  name: 'vendor-budget',
  sql: (t: Tables) => `
    CREATE TABLE ${t.vendorBudget} (
      provider text PRIMARY KEY,
      next_at timestamptz NOT NULL,
      paused_until timestamptz
    );
  `,
};
