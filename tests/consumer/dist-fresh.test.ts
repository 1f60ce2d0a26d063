/** `distIsFresh`, which lets the pack-install test skip the build: it must answer false whenever tsc would emit. */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { distIsFresh } from './published-packages.js';

const BUILD_CONFIG = JSON.stringify({
  include: ['src/**/*.ts'],
  exclude: ['src/**/*.test.ts', 'src/testing/**'],
});

describe('distIsFresh', () => {
  let root = '';
  const pkg = 'packages/demo';
  /** Writes `path` (relative to the workspace) with its mtime `ageMs` before now. */
  const write = (path: string, ageMs: number, text = '') => {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    const time = new Date(Date.now() - ageMs);
    utimesSync(file, time, time);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'reconnect-kit-dist-fresh-'));
    write('tsconfig.base.json', 60_000, '{}');
    write(`${pkg}/package.json`, 60_000, '{}');
    write(`${pkg}/tsconfig.build.json`, 60_000, BUILD_CONFIG);
    write(`${pkg}/src/index.ts`, 50_000);
    write(`${pkg}/src/lib/util.ts`, 50_000);
    // Excluded from the build: no output expected, and editing them does not call for one.
    write(`${pkg}/src/index.test.ts`, 1_000);
    write(`${pkg}/src/testing/helper.ts`, 1_000);
    for (const output of ['index.js', 'index.d.ts', 'lib/util.js', 'lib/util.d.ts'])
      write(`${pkg}/dist/${output}`, 10_000);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is fresh when every compiled source has a newer .js and .d.ts', () => {
    expect(distIsFresh(pkg, root)).toBe(true);
  });

  it('is stale when a compiled source changed after the build', () => {
    write(`${pkg}/src/lib/util.ts`, 1_000);
    expect(distIsFresh(pkg, root)).toBe(false);
  });

  it('is stale when a compiled source has no output yet', () => {
    write(`${pkg}/src/added.ts`, 50_000);
    expect(distIsFresh(pkg, root)).toBe(false);
  });

  it('is stale when a declaration is missing', () => {
    rmSync(join(root, pkg, 'dist/lib/util.d.ts'));
    expect(distIsFresh(pkg, root)).toBe(false);
  });

  it.each(['tsconfig.base.json', `${pkg}/tsconfig.build.json`, `${pkg}/package.json`])(
    'is stale when %s changed after the build',
    (config) => {
      write(config, 1_000, config.endsWith('tsconfig.build.json') ? BUILD_CONFIG : '{}');
      expect(distIsFresh(pkg, root)).toBe(false);
    },
  );

  it('is stale without a dist', () => {
    rmSync(join(root, pkg, 'dist'), { recursive: true });
    expect(distIsFresh(pkg, root)).toBe(false);
  });
});
