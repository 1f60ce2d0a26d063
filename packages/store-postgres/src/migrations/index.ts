import { initialMigration } from './001-initial.js';
import type { Migration } from './migration.js';

/** Every migration, in version order. Append only. */
export const MIGRATIONS: readonly Migration[] = [initialMigration];

export type { Migration } from './migration.js';
