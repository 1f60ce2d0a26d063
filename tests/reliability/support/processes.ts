import { type CompiledTree, compileTree } from './compile.js';

/** Everything a child host process runs, compiled once per test file. */
export function compileHost(): CompiledTree {
  return compileTree(
    ['core', 'express', 'argyle', 'finch', 'store-postgres'],
    ['tests/reliability/support/host.ts', 'tests/reliability/support/child-host.ts'],
  );
}

export const CHILD_HOST = new URL('./child-host.ts', import.meta.url);

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function randomSchemaName(prefix: string): string {
  return `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
}
