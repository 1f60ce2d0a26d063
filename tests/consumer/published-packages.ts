/** The workspace packages that are published to npm (packages/* and mocks/*, not marked private). */
import { existsSync, globSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

/** Only the workspace uses it (vitest and tsc resolve sources through it); published manifests must not carry it. */
export const SOURCE_CONDITION = '@reconnect-kit/source';

export type ExportTarget = string | { readonly [condition: string]: ExportTarget };

export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  readonly license?: string;
  readonly private?: boolean;
  readonly keywords?: readonly string[];
  readonly engines?: Readonly<Record<string, string>>;
  readonly exports?: Readonly<Record<string, ExportTarget>>;
  readonly types?: string;
  readonly bin?: string | Readonly<Record<string, string>>;
  readonly files?: readonly string[];
  readonly publishConfig?: {
    readonly access?: string;
    readonly exports?: Readonly<Record<string, ExportTarget>>;
  };
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
}

export interface PublishedPackage {
  /** Relative to the repository root, e.g. `packages/core`. */
  readonly dir: string;
  readonly manifest: Manifest;
}

export function publishedPackages(root = REPO_ROOT): PublishedPackage[] {
  return ['packages', 'mocks'].flatMap((parent) =>
    readdirSync(join(root, parent))
      .filter((name) => existsSync(join(root, parent, name, 'package.json')))
      .map((name) => ({
        dir: `${parent}/${name}`,
        manifest: JSON.parse(readFileSync(join(root, parent, name, 'package.json'), 'utf8')) as Manifest,
      }))
      .filter(({ manifest }) => manifest.private !== true),
  );
}

/** Every `[conditions, file]` an exports map can resolve to (nested conditions flattened). */
export function exportTargets(target: ExportTarget, conditions: string[] = []): [string[], string][] {
  if (typeof target === 'string') return [[conditions, target]];
  return Object.entries(target).flatMap(([condition, nested]) =>
    exportTargets(nested, [...conditions, condition]),
  );
}

/** The exports map as published: the workspace-only source condition removed. */
export function withoutSourceCondition(
  exports: Readonly<Record<string, ExportTarget>>,
): Record<string, ExportTarget> {
  const strip = (target: ExportTarget): ExportTarget =>
    typeof target === 'string'
      ? target
      : Object.fromEntries(
          Object.entries(target)
            .filter(([condition]) => condition !== SOURCE_CONDITION)
            .map(([condition, nested]) => [condition, strip(nested)]),
        );
  return Object.fromEntries(Object.entries(exports).map(([subpath, target]) => [subpath, strip(target)]));
}

/** Package names listed in the front matter of the changesets in `.changeset/`. */
export function packagesWithChangesets(root = REPO_ROOT): Set<string> {
  const names = new Set<string>();
  const dir = join(root, '.changeset');
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.md') && name !== 'README.md')) {
    const frontMatter = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(dir, file), 'utf8'))?.[1] ?? '';
    for (const match of frontMatter.matchAll(/^\s*["']?(@?[^"':\s]+)["']?\s*:\s*(major|minor|patch)\s*$/gm)) {
      if (match[1]) names.add(match[1]);
    }
  }
  return names;
}

/**
 * Whether `<dir>/dist` holds the output of the current sources: every file that the package's tsconfig.build.json
 * compiles (its include without its exclude, rootDir `src`) has its .js and .d.ts in dist, and none of them is older
 * than a source, that config, the package.json or the workspace's tsconfig.base.json. Lets a test skip rebuilding an
 * unchanged workspace (`pnpm build` already ran); any doubt answers false, so the test rebuilds.
 */
export function distIsFresh(dir: string, root = REPO_ROOT): boolean {
  const pkg = join(root, dir);
  const config = JSON.parse(readFileSync(join(pkg, 'tsconfig.build.json'), 'utf8')) as {
    readonly include: string[];
    readonly exclude?: string[];
  };
  const sources = globSync(config.include, { cwd: pkg, exclude: config.exclude ?? [] });
  const outputs = sources.flatMap((file) => {
    const base = join(pkg, 'dist', relative('src', file).replace(/\.ts$/, ''));
    return [`${base}.js`, `${base}.d.ts`];
  });
  if (outputs.length === 0 || !outputs.every((file) => existsSync(file))) return false;
  const inputs = [
    ...sources.map((file) => join(pkg, file)),
    ...['tsconfig.build.json', 'package.json'].map((file) => join(pkg, file)),
    join(root, 'tsconfig.base.json'),
  ];
  const newestInput = Math.max(...inputs.map((file) => statSync(file).mtimeMs));
  return outputs.every((file) => statSync(file).mtimeMs >= newestInput);
}
