import { initialMigration } from './001-initial.js';
import { attemptLifetimeMigration } from './002-attempt-lifetime.js';
import { connectionLeasesMigration } from './003-connection-leases.js';
import { deferredWritesMigration } from './004-deferred-writes.js';
import { sweepStateMigration } from './005-sweep-state.js';
import { vendorBudgetMigration } from './006-vendor-budget.js';
import { currentOnMissMigration } from './007-current-on-miss.js';
import type { Migration } from './migration.js';

/** Every migration, in version order. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  initialMigration,
  attemptLifetimeMigration,
  connectionLeasesMigration,
  deferredWritesMigration,
  sweepStateMigration,
  vendorBudgetMigration,
  currentOnMissMigration,
];

export type { Migration } from './migration.js';
