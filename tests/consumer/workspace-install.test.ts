/**
 * What `npx -y pnpm@10 install` on a fresh clone prints: nothing but progress. pnpm warns "Failed to create bin"
 * for a bin whose file does not exist before a build, and "Unsupported engine" for every workspace package when
 * the Node running pnpm (the README's machine: Node 20) is older than the packages' `engines`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishedPackages, REPO_ROOT } from './published-packages.js';

describe('a fresh install warns about nothing', () => {
  it('every bin of a workspace package is a committed file (no build needed to link it)', () => {
    const bins = publishedPackages().flatMap(({ dir, manifest }) =>
      Object.values(typeof manifest.bin === 'string' ? { bin: manifest.bin } : (manifest.bin ?? {})).map(
        (bin) => join(dir, bin),
      ),
    );
    expect(bins).toContain('mocks/engine/bin/reconnect-mock.js');
    const tracked = (path: string) => existsSync(join(REPO_ROOT, path)) && !path.split('/').includes('dist');
    expect(bins.filter((bin) => !tracked(bin))).toEqual([]);
  });

  it('pnpm checks engines against the pinned Node that runs the scripts, not against its own Node', () => {
    const workspace = readFileSync(join(REPO_ROOT, 'pnpm-workspace.yaml'), 'utf8');
    const nodeVersion = /^nodeVersion:\s*(\S+)\s*$/m.exec(workspace)?.[1];
    const pinned = JSON.parse(
      readFileSync(join(REPO_ROOT, 'node_modules', 'node', 'package.json'), 'utf8'),
    ) as {
      version: string;
    };
    expect(
      nodeVersion,
      'nodeVersion in pnpm-workspace.yaml: the version of the installed `node` package',
    ).toBe(pinned.version);
  });
});
