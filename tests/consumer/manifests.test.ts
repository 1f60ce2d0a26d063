/**
 * publint-style checks on the published manifests, without building: what `pnpm pack` will publish and what users
 * see on npm. The built artifacts themselves are checked in pack-install.test.ts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  exportTargets,
  packagesWithChangesets,
  publishedPackages,
  REPO_ROOT,
  SOURCE_CONDITION,
  withoutSourceCondition,
} from './published-packages.js';

const packages = publishedPackages();
const changesets = packagesWithChangesets();

describe('published manifests', () => {
  it('finds the published packages', () => {
    expect(packages.map((p) => p.manifest.name)).toEqual(
      expect.arrayContaining([
        '@reconnect-kit/core',
        '@reconnect-kit/argyle',
        '@reconnect-kit/finch',
        '@reconnect-kit/express',
        '@reconnect-kit/mock-engine',
        '@reconnect-kit/mock-argyle',
        '@reconnect-kit/mock-finch',
      ]),
    );
  });

  describe.each(packages.map((p) => [p.manifest.name, p] as const))('%s', (_, { dir, manifest }) => {
    it('has a description, a license, keywords, public access and engines.node >=22.12', () => {
      expect(manifest.description?.length ?? 0).toBeGreaterThan(10);
      expect(manifest.license).toBe('MIT');
      expect(manifest.keywords ?? []).toContain('reconnect-kit');
      expect(manifest.publishConfig?.access).toBe('public');
      expect(manifest.engines?.node).toBe('>=22.12');
    });

    it('publishes dist and a README that exists', () => {
      expect(manifest.files).toContain('dist');
      expect(manifest.files).toContain('README.md');
      expect(existsSync(join(REPO_ROOT, dir, 'README.md')), `${dir}/README.md is missing`).toBe(true);
    });

    it('has a changeset', () => {
      expect(changesets.has(manifest.name), `add .changeset/<name>.md with "${manifest.name}": minor`).toBe(
        true,
      );
    });

    it('exports ESM with types first, sources for the workspace and dist for users', () => {
      const exports = manifest.exports ?? {};
      expect(Object.keys(exports)).toContain('.');
      for (const [subpath, target] of Object.entries(exports)) {
        if (subpath === './package.json') continue;
        expect(typeof target, `exports["${subpath}"] should be a conditions object`).toBe('object');
        const conditions = Object.keys(target as object);
        // TypeScript uses the first matching condition: `types` must precede the JavaScript targets.
        expect(conditions.filter((c) => c !== SOURCE_CONDITION)[0], `exports["${subpath}"]`).toBe('types');
        for (const [path, file] of exportTargets(target)) {
          if (path.includes(SOURCE_CONDITION)) {
            expect(existsSync(join(REPO_ROOT, dir, file)), `${dir}: ${file} (source) is missing`).toBe(true);
          } else {
            expect(file, `exports["${subpath}"].${path.join('.')}`).toMatch(
              path.includes('types') ? /^\.\/dist\/.+\.d\.ts$/ : /^\.\/dist\/.+\.js$/,
            );
          }
        }
      }
      const root = exports['.'] as Record<string, string> | undefined;
      expect(manifest.types, 'top-level "types" matches exports["."].types').toBe(root?.types);
    });

    it('publishes the exports map without the workspace source condition (kept in step with exports)', () => {
      expect(manifest.publishConfig?.exports).toEqual(withoutSourceCondition(manifest.exports ?? {}));
    });

    it('depends on workspace packages through workspace:^ (pnpm pack turns it into a version range)', () => {
      for (const [name, range] of Object.entries({
        ...manifest.dependencies,
        ...manifest.peerDependencies,
      })) {
        if (name.startsWith('@reconnect-kit/')) expect(range, name).toBe('workspace:^');
        else expect(range, name).not.toMatch(/^(workspace|file|link):/);
      }
    });
  });
});
