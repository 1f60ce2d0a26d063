import { initialMigration } from './001-initial.js';
import { attemptLifetimeMigration } from './002-attempt-lifetime.js';
import type { Migration } from './migration.js';

/** Every migration, in version order. Append only. */
export const MIGRATIONS: readonly Migration[] = [initialMigration, attemptLifetimeMigration];

export type { Migration } from './migration.js';
