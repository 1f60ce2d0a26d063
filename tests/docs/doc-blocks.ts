/**
 * Runnable documentation: finds fenced code blocks whose info string carries the `run` flag (```ts run,
 * ```sh run timeout=60) and executes them. For writers of such blocks:
 * - ts/js blocks are imported by the calling vitest worker (same transpilation and `@reconnect-kit/source`
 *   resolution as the tests, so no build is needed); every workspace package and its dependencies resolve. They
 *   must finish on their own: close servers and mocks, use port 0. Throwing (e.g. `node:assert`) fails the block.
 * - sh blocks run with `bash -euo pipefail` in a fresh temporary directory, in the reader's shell: the PATH without
 *   any `node_modules/.bin` (no workspace tools, no pnpm, the machine's own Node) and no npm/pnpm script variables,
 *   so a command the README's machine lacks fails here too; the repository is in `$RECONNECT_KIT_REPO`.
 *   Background jobs are stopped when the block ends.
 * - The default timeout is 30 s; `timeout=N` (seconds) in the info string changes it.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

const SCRIPT_LANGUAGES = { ts: 'ts', typescript: 'ts', js: 'mjs', javascript: 'mjs', mjs: 'mjs' } as const;
const SHELL_LANGUAGES = new Set(['sh', 'bash', 'shell']);
export const DEFAULT_TIMEOUT_SECONDS = 30;

export interface DocBlock {
  /** Path relative to the repository root (or as given), for messages. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly language: string;
  readonly code: string;
  readonly timeoutMs: number;
}

/** The markdown files whose `run` blocks are executed: the root README, docs/**, and every package README. */
export function documentationFiles(root = REPO_ROOT): string[] {
  const files = ['README.md'];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) files.push(path);
    }
  };
  if (existsSync(join(root, 'docs'))) walk('docs');
  for (const parent of ['packages', 'mocks']) {
    for (const name of readdirSync(join(root, parent))) {
      if (existsSync(join(root, parent, name, 'README.md'))) files.push(join(parent, name, 'README.md'));
    }
  }
  return files.filter((file) => existsSync(join(root, file))).sort();
}

const FENCE = /^(?<indent> {0,3})(?<fence>`{3,}|~{3,})(?<info>.*)$/;

interface FencedBlock {
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The info string's words: language first, then flags such as `run` and `timeout=N`. */
  readonly words: readonly string[];
  readonly code: string;
}

/** Every fenced block of `markdown` (a fence nested in a longer one is content, not a block). */
function fencedBlocks(markdown: string): FencedBlock[] {
  const lines = markdown.split('\n');
  const blocks: FencedBlock[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = FENCE.exec(lines[index] ?? '')?.groups;
    if (!open) continue;
    const fence = open.fence ?? '```';
    const body: string[] = [];
    let end = index + 1;
    // A closing fence uses the same character, at least as long, with nothing after it.
    const closes = (line: string) => {
      const close = FENCE.exec(line)?.groups;
      return (
        close !== undefined &&
        close.fence?.[0] === fence[0] &&
        (close.fence?.length ?? 0) >= fence.length &&
        close.info?.trim() === ''
      );
    };
    while (end < lines.length && !closes(lines[end] ?? '')) body.push(lines[end++] ?? '');
    blocks.push({ line: index + 1, words: (open.info ?? '').trim().split(/\s+/), code: body.join('\n') });
    index = end;
  }
  return blocks;
}

/** Every fenced block flagged `run` in `markdown`; throws on a flagged block in a language it cannot run. */
export function extractRunnableBlocks(markdown: string, file: string): DocBlock[] {
  const blocks: DocBlock[] = [];
  for (const { line, words, code } of fencedBlocks(markdown)) {
    if (!words.includes('run')) continue;
    const language = (words[0] ?? '').toLowerCase();
    if (!(language in SCRIPT_LANGUAGES) && !SHELL_LANGUAGES.has(language)) {
      throw new Error(`${file}:${line}: a \`run\` block must be ts, js or sh, not "${language}"`);
    }
    const timeout = words.find((word) => word.startsWith('timeout='));
    const seconds =
      timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : Number(timeout.slice('timeout='.length));
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new Error(`${file}:${line}: bad ${timeout} (seconds, e.g. timeout=60)`);
    }
    blocks.push({ file, line, language, code, timeoutMs: seconds * 1000 });
  }
  return blocks;
}

/** Every shell block of `markdown`, runnable or not (readers paste them all). */
export function extractShellBlocks(markdown: string, file: string): DocBlock[] {
  return fencedBlocks(markdown)
    .filter(({ words }) => SHELL_LANGUAGES.has((words[0] ?? '').toLowerCase()))
    .map(({ line, code }) => ({ file, line, language: 'sh', code, timeoutMs: 0 }));
}

/** Every TypeScript block of `markdown`, runnable or not (fragments too), for the type check. */
export function extractTypeScriptBlocks(markdown: string, file: string): DocBlock[] {
  return fencedBlocks(markdown)
    .filter(({ words }) => ['ts', 'typescript'].includes((words[0] ?? '').toLowerCase()))
    .map(({ line, code }) => ({ file, line, language: 'ts', code, timeoutMs: 0 }));
}

/** All runnable blocks of the documentation files. */
export function collectDocBlocks(root = REPO_ROOT): DocBlock[] {
  return documentationFiles(root).flatMap((file) =>
    extractRunnableBlocks(readFileSync(join(root, file), 'utf8'), file),
  );
}

/**
 * A scratch directory inside the repository whose `node_modules` links every workspace package and every
 * third-party package any workspace package depends on, so a block's imports resolve the way a user's would.
 */
export function createBlockWorkspace(root = REPO_ROOT): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(root, 'tests', 'docs', '.blocks-'));
  const modules = join(dir, 'node_modules');
  const linked = new Set<string>();
  const link = (name: string, target: string) => {
    if (linked.has(name)) return;
    linked.add(name);
    const path = join(modules, name);
    mkdirSync(join(path, '..'), { recursive: true });
    symlinkSync(target, path, 'dir');
  };
  const packageDirs = ['packages', 'mocks', 'examples'].flatMap((parent) =>
    existsSync(join(root, parent))
      ? readdirSync(join(root, parent)).map((name) => join(root, parent, name))
      : [],
  );
  for (const packageDir of packageDirs) {
    const manifest = join(packageDir, 'package.json');
    if (existsSync(manifest))
      link((JSON.parse(readFileSync(manifest, 'utf8')) as { name: string }).name, packageDir);
  }
  for (const base of [root, ...packageDirs]) {
    const nodeModules = join(base, 'node_modules');
    if (!existsSync(nodeModules)) continue;
    for (const entry of readdirSync(nodeModules)) {
      if (entry.startsWith('.')) continue;
      if (entry.startsWith('@')) {
        for (const scoped of readdirSync(join(nodeModules, entry)))
          link(`${entry}/${scoped}`, join(nodeModules, entry, scoped));
      } else link(entry, join(nodeModules, entry));
    }
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Signals the block's whole process group (bash and anything it left running); gone already is fine. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing left to stop.
  }
}

/**
 * The environment of a reader's terminal: vitest runs inside `pnpm test`, which puts the workspace's bins (tsc,
 * vitest, the pinned Node 24) and pnpm itself first on PATH and sets npm_* variables; a reader has none of that.
 */
export function readersEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const path = (env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '' && !dir.split(sep).join('/').includes('node_modules/.bin'))
    .join(delimiter);
  const kept = Object.entries(env).filter(([key]) => !/^(npm_|pnpm_)/i.test(key) && key !== 'NODE_PATH');
  return { ...Object.fromEntries(kept), PATH: path };
}

function runShell(code: string, timeoutMs: number): Promise<void> {
  const cwd = mkdtempSync(join(tmpdir(), 'doc-block-'));
  return new Promise<void>((resolve, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', code], {
      cwd,
      env: { ...readersEnvironment(), RECONNECT_KIT_REPO: REPO_ROOT },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a timeout or the end of the block also stops its background jobs.
      detached: true,
    });
    let output = '';
    let timedOut = false;
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    // A background job still holding stdout would delay 'close': stop the group as soon as bash exits.
    child.on('exit', () => killGroup(child.pid, 'SIGTERM'));
    child.on('close', (code) => {
      clearTimeout(timer);
      rmSync(cwd, { recursive: true, force: true });
      if (code === 0 && !timedOut) resolve();
      else {
        const why = timedOut ? `was stopped after the ${timeoutMs / 1000} s timeout` : `exited with ${code}`;
        reject(new Error(`bash ${why}; output:\n${output.slice(-4000)}`));
      }
    });
  });
}

let scriptRuns = 0;

/**
 * Runs one block. Script blocks are written to `workspace` and imported by the current (vitest) process, so
 * they must clean up after themselves (close servers); shell blocks run in their own temporary directory.
 * Failures name the file and the line of the block's opening fence.
 */
export async function runDocBlock(block: DocBlock, workspace: string): Promise<void> {
  const where = `${block.file}:${block.line} (${block.language} block)`;
  if (SHELL_LANGUAGES.has(block.language)) {
    await runShell(block.code, block.timeoutMs).catch((error: Error) => {
      throw new Error(`${where} failed: ${error.message}`, { cause: error });
    });
    return;
  }
  const output: string[] = [];
  try {
    const extension = SCRIPT_LANGUAGES[block.language as keyof typeof SCRIPT_LANGUAGES];
    // A fresh name per run: the module loader caches by URL.
    const stem = `${block.file.replace(/[^a-zA-Z0-9]+/g, '_')}_L${block.line}_${++scriptRuns}`;
    const file = join(workspace, `${stem}.${extension}`);
    writeFileSync(file, `${block.code}\nexport {};\n`);
    await withConsoleCaptured(output, () =>
      withTimeout(import(/* @vite-ignore */ pathToFileURL(file).href), block.timeoutMs, 'the block'),
    );
  } catch (error) {
    // The stack shows the line inside the block's scratch file.
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    const printed = output.length > 0 ? `\nthe block printed:\n${output.join('\n').slice(-4000)}` : '';
    throw new Error(`${where} failed: ${message}${printed}`, { cause: error });
  }
}

/** Keeps a block's console output out of the test report (it is shown when the block fails). */
async function withConsoleCaptured<T>(output: string[], run: () => Promise<T>): Promise<T> {
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originals = methods.map((method) => console[method]);
  for (const method of methods) {
    console[method] = (...args: unknown[]) => {
      output.push(args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg))).join(' '));
    };
  }
  try {
    return await run();
  } finally {
    methods.forEach((method, index) => {
      console[method] = originals[index] as (typeof console)[typeof method];
    });
  }
}
