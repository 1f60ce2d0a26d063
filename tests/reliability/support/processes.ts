// The one compile helper, shared with store-postgres's cross-process test. It is bound to this repository's layout,
// so it is imported by path rather than through a package export.
import { type CompiledTree, compileTree } from '../../../packages/store-postgres/src/testing/compile.js';

export type { CompiledTree };

/** Everything the child processes run (hosts and fleet sweepers): one cached compile shared by every file. */
export function compileHost(): CompiledTree {
  return compileTree(
    ['core', 'express', 'argyle', 'finch', 'store-postgres'],
    [
      'tests/reliability/support/host.ts',
      'tests/reliability/support/child-host.ts',
      'tests/reliability/support/fleet-child.ts',
    ],
  );
}

export const CHILD_HOST = new URL('./child-host.ts', import.meta.url);

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function randomSchemaName(prefix: string): string {
  return `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
}
