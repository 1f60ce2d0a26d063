import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Test-only: compiles core and this package from source (tsc, no type check) into a temporary directory, so
 * child Node processes can run them: Node's own type stripping cannot run core (legacy decorators).
 * `compiled-hooks.ts` resolves the bare imports of the compiled files.
 */

const packagesDir = path.resolve(fileURLToPath(import.meta.url), '../../../..');
const repoRoot = path.dirname(packagesDir);

export interface CompiledSources {
  /** Root of the compiled tree: `<outDir>/<package>/src/...` mirrors `packages/<package>/src/...`. */
  readonly outDir: string;
  /** Absolute path of the compiled counterpart of a file under `packages/`. */
  compiled(sourcePath: string): string;
  /** Environment for a child started with `--import` of `compiled-hooks.ts`. */
  readonly env: Readonly<Record<string, string>>;
  /** Deletes the compiled tree. */
  remove(): void;
}

export function compileSources(): CompiledSources {
  const dir = mkdtempSync(path.join(tmpdir(), 'rk-store-postgres-'));
  const outDir = path.join(dir, 'out');
  const tsconfig = path.join(dir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: path.join(repoRoot, 'tsconfig.base.json'),
      compilerOptions: {
        rootDir: packagesDir,
        outDir,
        noCheck: true,
        declaration: false,
        declarationMap: false,
        sourceMap: false,
        typeRoots: [path.join(repoRoot, 'node_modules/@types')],
        customConditions: ['@reconnect-kit/source'],
      },
      include: [`${packagesDir}/core/src/**/*.ts`, `${packagesDir}/store-postgres/src/**/*.ts`],
      exclude: [`${packagesDir}/*/src/**/*.test.ts`],
    }),
  );
  // The compiled files are ES modules; without this, Node would have to guess from their syntax.
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  const tsc = path.join(
    path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')),
    'bin/tsc',
  );
  const result = spawnSync(process.execPath, [tsc, '-p', tsconfig], { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`tsc failed (${result.status}): ${result.stdout}${result.stderr}`);
  }
  const compiled = (sourcePath: string) =>
    path.join(outDir, path.relative(packagesDir, sourcePath)).replace(/\.ts$/, '.js');
  return {
    outDir,
    compiled,
    env: { RK_COMPILED_DIR: outDir, RK_SOURCE_DIR: packagesDir },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
