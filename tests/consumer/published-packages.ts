/** The workspace packages that are published to npm (packages/* and mocks/*, not marked private). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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
