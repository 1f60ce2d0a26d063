import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  globSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
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
 *
 * A tree is cached by the content of everything it can compile (about 0.8 s of CPU per compile, and five test files
 * use one): the same sources give the same directory, shared by every worker and every run until a source changes.
 */

const repoRoot = path.resolve(fileURLToPath(import.meta.url), '../../../../..');

export interface CompiledTree {
  /** Absolute path of the compiled counterpart of a source file in the repository. */
  compiled(sourcePath: string): string;
  /** Module to load with `node --import` in the child, before its compiled entry. */
  readonly hooks: string;
  /** Environment for a child started with `--import` of `hooks`. */
  readonly env: Readonly<Record<string, string>>;
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

/** Where compiled trees are kept, one directory per content key; trees unused for a day are deleted. */
const CACHE_DIR = path.join(tmpdir(), 'rk-compiled');
const STALE_AFTER_MS = 24 * 60 * 60 * 1000;
const TEST_FILES = 'packages/*/src/**/*.test.ts';
const typescriptManifest = createRequire(import.meta.url).resolve('typescript/package.json');

/**
 * Everything a compile can read: the listed sources, and whatever they import from the repository (other workspace
 * sources, test support files, fixtures), plus the compiler's settings and version.
 */
function contentKey(settings: string): string {
  const hash = createHash('sha256').update(settings);
  const inputs = globSync(
    ['packages/*/src/**/*.ts', 'tests/**/support/**/*.ts', 'fixtures/**/*', 'tsconfig.base.json'],
    // Not compiled (see compileTree's exclude), so editing a test does not cost a compile.
    { cwd: repoRoot, exclude: [TEST_FILES] },
  ).sort();
  for (const file of [
    ...inputs.map((f) => path.join(repoRoot, f)),
    typescriptManifest,
    fileURLToPath(import.meta.url),
  ]) {
    if (!statSync(file).isFile()) continue;
    hash.update(`\0${path.relative(repoRoot, file)}\0`).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 24);
}

function compileInto(dir: string, tsconfigJson: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'tsconfig.json'), tsconfigJson);
  // The compiled files are ES modules; without this, Node would have to guess from their syntax.
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  const tsc = path.join(path.dirname(typescriptManifest), 'bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json')], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`tsc failed (${result.status}): ${result.stdout}${result.stderr}`);
}

function removeStaleTrees(keep: string): void {
  for (const entry of readdirSync(CACHE_DIR)) {
    const dir = path.join(CACHE_DIR, entry);
    if (dir !== keep && Date.now() - statSync(dir).mtimeMs > STALE_AFTER_MS) {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** Compiles `packages/<p>/src` for each of `packages` (directory names), plus `files` (repository-relative). */
export function compileTree(packages: readonly string[], files: readonly string[] = []): CompiledTree {
  // Paths inside the tsconfig are relative to the tree's own directory, so the same settings give the same key.
  const tsconfigJson = JSON.stringify({
    extends: path.join(repoRoot, 'tsconfig.base.json'),
    compilerOptions: {
      rootDir: repoRoot,
      outDir: 'out',
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
    exclude: [path.join(repoRoot, TEST_FILES)],
  });
  const dir = path.join(CACHE_DIR, contentKey(tsconfigJson));
  if (existsSync(dir)) {
    // Marks it used, so that another run's clean-up keeps it.
    const now = new Date();
    utimesSync(dir, now, now);
  } else {
    mkdirSync(CACHE_DIR, { recursive: true });
    // Compiled aside and renamed into place, so no worker ever sees half a tree; when two workers compile at once,
    // the first rename wins and the other's copy is dropped.
    const scratch = mkdtempSync(`${dir}.partial-`);
    try {
      compileInto(scratch, tsconfigJson);
      renameSync(scratch, dir);
    } catch (error) {
      if (!existsSync(dir)) throw error;
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    removeStaleTrees(dir);
  }
  const outDir = path.join(dir, 'out');
  return {
    compiled: (sourcePath) => path.join(outDir, path.relative(repoRoot, sourcePath)).replace(/\.ts$/, '.js'),
    hooks: fileURLToPath(new URL('./compiled-hooks.ts', import.meta.url)),
    env: {
      RK_COMPILED_DIR: outDir,
      RK_SOURCE_DIR: repoRoot,
      RK_WORKSPACE_ENTRIES: JSON.stringify(workspaceEntries(packages, outDir)),
    },
  };
}
