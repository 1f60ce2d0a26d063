/**
 * Static checks of the documentation's code: every TypeScript block type-checks against the packages' public entry
 * points, and every runnable script block passes the repository's biome check (readers save these programs in the
 * repository, and `pnpm test` starts with `biome check .`).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { createBlockWorkspace, type DocBlock, REPO_ROOT } from './doc-blocks.js';

const execFileAsync = promisify(execFile);

/**
 * What a fragment may leave to the reader: names it does not define (`stateSigningKey`, `authorize`, …: TS2304,
 * TS2552, TS18004) and modules of the reader's own (a relative import: TS2307 naming `./…`). Anything else (a
 * method the published type lacks, a wrong argument, an export that does not exist) fails the block.
 */
function leftToTheReader(code: string, message: string): boolean {
  if (code === 'TS2304' || code === 'TS2552' || code === 'TS18004') return true;
  return code === 'TS2307' && /^Cannot find module '\.\.?\//.test(message);
}

async function run(file: string, args: string[]): Promise<{ failed: boolean; output: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, { cwd: REPO_ROOT, maxBuffer: 16 << 20 });
    return { failed: false, output: `${stdout}${stderr}` };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { failed: true, output: `${stdout}${stderr}` };
  }
}

/**
 * Type-checks each block as its own module with the repository's compiler options. Package imports resolve through
 * each package's `exports` (the source condition maps them to the same entry files the published declarations are
 * built from), so only what a package exports is visible: internal classes and deep imports are not.
 * Returns one line per problem, `file:line TSxxxx message`.
 */
export async function typecheckBlocks(blocks: readonly DocBlock[]): Promise<string[]> {
  const workspace = createBlockWorkspace();
  try {
    blocks.forEach((block, index) => {
      writeFileSync(join(workspace.dir, `block${index}.ts`), `${block.code}\nexport {};\n`);
    });
    writeFileSync(
      join(workspace.dir, 'tsconfig.json'),
      JSON.stringify({
        extends: relative(workspace.dir, join(REPO_ROOT, 'tsconfig.base.json')),
        compilerOptions: { noEmit: true, customConditions: ['@reconnect-kit/source'] },
        include: ['block*.ts'],
      }),
    );
    // One checker thread: this runs beside other test files.
    const tsc = join(REPO_ROOT, 'node_modules', '.bin', 'tsc');
    const { failed, output } = await run(tsc, ['-p', workspace.dir, '--checkers', '1']);
    const problems: string[] = [];
    let understood = 0;
    for (const line of output.split('\n')) {
      const match = /block(\d+)\.ts\((\d+),\d+\): error (TS\d+): (.*)$/.exec(line);
      if (!match) continue;
      understood += 1;
      const [, index, row, code, message] = match as unknown as [string, string, string, string, string];
      const block = blocks[Number(index)];
      if (!block || leftToTheReader(code, message)) continue;
      problems.push(`${block.file}:${block.line + Number(row)} ${code} ${message}`);
    }
    if (failed && understood === 0) problems.push(`tsc failed:\n${output.slice(-4000)}`);
    return problems;
  } finally {
    workspace.cleanup();
  }
}

/** Runs `biome check` on each runnable ts/js block as a file of the repository; returns the failures. */
export async function lintBlocks(blocks: readonly DocBlock[]): Promise<string[]> {
  const workspace = createBlockWorkspace();
  try {
    const files = blocks.map((block, index) => {
      const file = join(workspace.dir, `block${index}.${block.language === 'ts' ? 'ts' : 'mjs'}`);
      writeFileSync(file, `${block.code}\n`);
      return file;
    });
    const biome = join(REPO_ROOT, 'node_modules', '.bin', 'biome');
    const check = (paths: string[]) =>
      run(biome, ['check', '--colors=off', ...paths.map((path) => relative(REPO_ROOT, path))]);
    // One run for all; only when it fails, one per block to say which.
    if (!(await check(files)).failed) return [];
    const problems: string[] = [];
    for (const [index, file] of files.entries()) {
      const block = blocks[index] as DocBlock;
      const { failed, output } = await check([file]);
      if (failed)
        problems.push(`${block.file}:${block.line} (${block.language} block):\n${output.slice(0, 3000)}`);
    }
    return problems;
  } finally {
    workspace.cleanup();
  }
}
