import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateAll } from '../scripts/generate-types.mjs';

const root = join(import.meta.dirname, '..');
// Generating every schema's types takes seconds of CPU; both tests read the same result.
let generated: ReturnType<typeof generateAll> | undefined;
const outputsOnce = () => {
  generated ??= generateAll();
  return generated;
};

describe('generated fixture types', () => {
  it('are committed exactly as `pnpm gen:types` would write them', async () => {
    const outputs = await outputsOnce();
    const stale = [...outputs]
      .filter(([path, content]) => !existsSync(path) || readFileSync(path, 'utf8') !== content)
      .map(([path]) => relative(root, path));
    expect(stale, 'run `pnpm gen:types` and commit the result').toEqual([]);
  });

  it('leave no generated file behind whose schema is gone', async () => {
    const outputs = await outputsOnce();
    const orphans: string[] = [];
    for (const parent of ['packages', 'mocks']) {
      for (const pkg of readdirSync(join(root, parent))) {
        const dir = join(root, parent, pkg, 'src', 'generated');
        if (!existsSync(dir)) continue;
        for (const file of readdirSync(dir)) {
          if (!outputs.has(join(dir, file))) orphans.push(relative(root, join(dir, file)));
        }
      }
    }
    expect(orphans, 'delete generated files whose schema was removed').toEqual([]);
  });
});
