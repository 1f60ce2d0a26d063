import type { Tables } from '../tables.js';

/** One schema change. Versions are applied once, in ascending order; never edit a released migration. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Plain SQL (several statements allowed), with table names qualified by the configured schema. */
  readonly sql: (tables: Tables) => string;
}
