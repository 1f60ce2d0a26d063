import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Test-only: compiles workspace packages (and any other repository files) from source (tsc, no type check) into
 * a temporary directory, so child Node processes can run them: Node's own type stripping cannot run core (legacy
 * decorators). `compiled-hooks.ts` resolves the bare imports of the compiled files. Used by this package's
 * cross-process test and, by relative path, by tests/reliability (it is bound to this repository's layout, so
 * it is not a package export).
 */

const repoRoot = path.resolve(fileURLToPath(import.meta.url), '../../../../..');

export interface CompiledTree {
  /** Absolute path of the compiled counterpart of a source file in the repository. */
  compiled(sourcePath: string): string;
  /** Module to load with `node --import` in the child, before its compiled entry. */
  readonly hooks: string;
  /** Environment for a child started with `--import` of `hooks`. */
  readonly env: Readonly<Record<string, string>>;
  /** Deletes the compiled tree. */
  remove(): void;
}

/** `@reconnect-kit/<name>[/sub]` → compiled entry file, from each package's `@reconnect-kit/source` export. */
function workspaceEntries(packages: readonly string[], outDir: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const dir of packages) {
    const manifest = JSON.parse(
      readFileSync(path.join(repoRoot, 'packages', dir, 'package.json'), 'utf8'),
    ) as {
      name: string;
      exports: Record<string, string | Record<string, string>>;
    };
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      const source = typeof target === 'object' ? target['@reconnect-kit/source'] : undefined;
      if (!source) continue;
      const specifier = path.posix.join(manifest.name, subpath);
      entries[specifier] = path.join(outDir, 'packages', dir, source).replace(/\.ts$/, '.js');
    }
  }
  return entries;
}

/** Compiles `packages/<p>/src` for each of `packages` (directory names), plus `files` (repository-relative). */
export function compileTree(packages: readonly string[], files: readonly string[] = []): CompiledTree {
  const dir = mkdtempSync(path.join(tmpdir(), 'rk-compiled-'));
  const outDir = path.join(dir, 'out');
  const tsconfig = path.join(dir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: path.join(repoRoot, 'tsconfig.base.json'),
      compilerOptions: {
        rootDir: repoRoot,
        outDir,
        noCheck: true,
        declaration: false,
        declarationMap: false,
        sourceMap: false,
        typeRoots: [path.join(repoRoot, 'node_modules/@types')],
        customConditions: ['@reconnect-kit/source'],
      },
      include: [
        ...packages.map((p) => path.join(repoRoot, 'packages', p, 'src/**/*.ts')),
        ...files.map((f) => path.join(repoRoot, f)),
      ],
      exclude: [path.join(repoRoot, 'packages/*/src/**/*.test.ts')],
    }),
  );
  // The compiled files are ES modules; without this, Node would have to guess from their syntax.
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  const tsc = path.join(
    path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')),
    'bin/tsc',
  );
  const result = spawnSync(process.execPath, [tsc, '-p', tsconfig], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tsc failed (${result.status}): ${result.stdout}${result.stderr}`);
  return {
    compiled: (sourcePath) => path.join(outDir, path.relative(repoRoot, sourcePath)).replace(/\.ts$/, '.js'),
    hooks: fileURLToPath(new URL('./compiled-hooks.ts', import.meta.url)),
    env: {
      RK_COMPILED_DIR: outDir,
      RK_SOURCE_DIR: repoRoot,
      RK_WORKSPACE_ENTRIES: JSON.stringify(workspaceEntries(packages, outDir)),
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
