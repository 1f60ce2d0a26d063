/**
 * The packages as npm users get them: build (what changed since the last build), `pnpm pack` every published
 * package (pnpm rewrites `workspace:^` to versions), check what each tarball ships, then `npm install` the tarballs
 * into a fresh project (third-party dependencies from the npm registry) and run a plain Node ESM host app there that
 * composes core, both adapters, express and the mocks, plus a TypeScript consumer and the `reconnect-mock` bin.
 * Locally, a consumer installed from byte-identical tarballs is reused for a few hours (CONSUMER_CACHE); CI installs
 * afresh. Skipped, with the reason, only when npm cannot reach its registry.
 */
import { type ChildProcess, type ExecFileOptions, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../scratch-dir.js';
import {
  distIsFresh,
  exportTargets,
  type Manifest,
  type PublishedPackage,
  publishedPackages,
  REPO_ROOT,
  SOURCE_CONDITION,
} from './published-packages.js';

const execFileAsync = promisify(execFile);

/** execFile whose failure carries the command's own output (tsc and npm report on stdout). */
async function run(file: string, args: string[], options: ExecFileOptions = {}): Promise<{ stdout: string }> {
  try {
    const { stdout } = await execFileAsync(file, args, { ...options, encoding: 'utf8', maxBuffer: 64 << 20 });
    return { stdout };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const output = `${stdout}${stderr}`.trim().slice(-6000);
    throw new Error(`${[file, ...args].join(' ')} failed:\n${output || (error as Error).message}`, {
      cause: error,
    });
  }
}

// Node 24 (this process) first on PATH, so npm and bins run on it; pnpm's npm_* settings are not the user's.
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries({
    ...process.env,
    PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
  }).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
);
const npm = (args: string[], cwd: string, timeout = 90_000) =>
  run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, env, timeout });

async function registryProblem(): Promise<string | undefined> {
  try {
    await npm(['ping'], tmpdir(), 20_000);
    return undefined;
  } catch (error) {
    return (error as Error).message.split('\n').slice(1).join(' ').trim() || (error as Error).message;
  }
}

/**
 * Consumers installed from the same tarballs, kept between local runs. `pnpm pack` is byte-for-byte repeatable, so
 * while dist/ is unchanged the tarballs are too, and installing them again was 7.6 of this file's 20 core-seconds.
 * On CI the consumer is always installed afresh; locally, one older than CONSUMER_MAX_AGE_MS is installed again, so
 * the registry's packages are resolved again at least that often.
 */
const CONSUMER_CACHE = join(scratchDir(), 'rk-consumer');
const CONSUMER_MAX_AGE_MS = 6 * 60 * 60 * 1000;
const INSTALLED_MARKER = '.installed';

/** An npm project with `tarballs` and `registryPackages` installed (`kept`: in CONSUMER_CACHE, not to delete). */
async function installConsumer(
  tarballs: readonly string[],
  registryPackages: readonly string[],
): Promise<{ readonly dir: string; readonly kept: boolean }> {
  const reuse = !['true', '1'].includes(process.env.CI ?? '');
  mkdirSync(CONSUMER_CACHE, { recursive: true });
  for (const entry of readdirSync(CONSUMER_CACHE)) {
    const dir = join(CONSUMER_CACHE, entry);
    // The marker's age is the install's (the tests write into a kept consumer, which touches the directory).
    const marker = join(dir, INSTALLED_MARKER);
    const installedAt = statSync(existsSync(marker) ? marker : dir).mtimeMs;
    if (Date.now() - installedAt > CONSUMER_MAX_AGE_MS) rmSync(dir, { recursive: true, force: true });
  }
  const key = createHash('sha256').update(JSON.stringify(registryPackages));
  for (const tarball of tarballs) key.update(readFileSync(tarball));
  const cached = join(CONSUMER_CACHE, key.digest('hex').slice(0, 24));
  if (reuse && existsSync(join(cached, INSTALLED_MARKER))) return { dir: cached, kept: true };

  const fresh = mkdtempSync(join(CONSUMER_CACHE, 'installing-'));
  writeFileSync(
    join(fresh, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  await npm(
    [
      'install',
      '--prefer-offline',
      '--no-package-lock',
      '--ignore-scripts',
      ...tarballs,
      ...registryPackages,
    ],
    fresh,
    150_000,
  );
  if (!reuse) return { dir: fresh, kept: false };
  writeFileSync(join(fresh, INSTALLED_MARKER), '');
  // Another worktree may have installed the same consumer meanwhile: then its copy is used and this one dropped.
  try {
    renameSync(fresh, cached);
  } catch {
    rmSync(fresh, { recursive: true, force: true });
  }
  return { dir: cached, kept: true };
}

/**
 * The pnpm that runs `pnpm test` (it sets npm_execpath for its scripts), else pnpm 10 through npx, which costs
 * about 2.5 s of CPU more to start.
 */
function pnpmCommand(): [string, string[]] {
  const execPath = process.env.npm_execpath;
  return execPath && /^pnpm\.c?js$/.test(basename(execPath))
    ? [process.execPath, [execPath]]
    : ['npx', ['-y', 'pnpm@10']];
}

const unreachable = await registryProblem();
const packages = publishedPackages();
const rootManifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;
// Everything a host app installs. contract-tests is only packed and checked: its required vitest peer is a
// test-runner install, not part of a host app.
const installed = packages.filter((p) => p.manifest.name !== '@reconnect-kit/contract-tests');

interface Tarball {
  readonly path: string;
  /** Paths inside the tarball without the leading `package/`. */
  readonly files: readonly string[];
  readonly manifest: Manifest;
}

const tarballs = new Map<string, Tarball>();
let work = '';
let consumer = '';
let consumerKept = false;

if (unreachable) {
  describe('packed packages installed with npm', () => {
    it.skip(`skipped: npm cannot reach its registry (${unreachable.split('\n')[0]})`, () => {});
  });
} else {
  beforeAll(async () => {
    work = mkdtempSync(join(scratchDir(), 'reconnect-kit-pack-'));
    const filters = packages.flatMap((p) => ['--filter', `./${p.dir}`]);
    const [pnpmFile, pnpmArgs] = pnpmCommand();
    const pnpm = (args: string[], only = filters) =>
      run(pnpmFile, [...pnpmArgs, ...only, ...args], { cwd: REPO_ROOT, env, timeout: 120_000 });
    // The tarballs pack dist/: the packages whose dist is older than their sources are rebuilt, with the packages
    // that depend on them (their declarations can inline a dependency's types): none after `pnpm build` or this
    // test's last run, where building everything took about 20 s of both cores.
    const stale = packages.filter((p) => !distIsFresh(p.dir)).flatMap((p) => ['--filter', `...{./${p.dir}}`]);
    // The workspace root depends on every package, and its own build script builds them all.
    if (stale.length > 0) await pnpm(['run', 'build'], [...stale, '--filter', `!${rootManifest.name}`]);
    await pnpm(['-r', 'pack', '--pack-destination', join(work, 'tarballs')]);
    for (const { manifest } of packages) {
      const file = `${manifest.name.replace('@', '').replace('/', '-')}-${manifest.version}.tgz`;
      const path = join(work, 'tarballs', file);
      const listing = (await run('tar', ['-tzf', path])).stdout;
      const packed = (await run('tar', ['-xzOf', path, 'package/package.json'])).stdout;
      tarballs.set(manifest.name, {
        path,
        files: listing
          .split('\n')
          .filter(Boolean)
          .map((line) => line.replace(/^package\//, '')),
        manifest: JSON.parse(packed) as Manifest,
      });
    }

    ({ dir: consumer, kept: consumerKept } = await installConsumer(
      installed.map((p) => tarballs.get(p.manifest.name)?.path ?? ''),
      [
        'express@5',
        'tsyringe@4',
        'reflect-metadata',
        // What a TypeScript user adds: our declarations refer to these packages' types.
        '@types/node@24',
        '@types/express@5',
        '@types/pg@8',
      ],
    ));
  }, 280_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
    if (consumer && !consumerKept) rmSync(consumer, { recursive: true, force: true });
  });

  describe('packed packages installed with npm', () => {
    describe.each(packages.map((p) => p.manifest.name))('tarball of %s', (name) => {
      const tarball = () => {
        const found = tarballs.get(name);
        if (!found) throw new Error(`${name} was not packed`);
        return found;
      };

      it('ships dist JavaScript with declarations, package.json, README and its bin launchers, nothing else', () => {
        const { files, manifest } = tarball();
        const bins = Object.values(
          typeof manifest.bin === 'string' ? { bin: manifest.bin } : (manifest.bin ?? {}),
        ).map((bin) => bin.replace(/^\.\//, ''));
        expect(files).toContain('package.json');
        expect(files).toContain('README.md');
        expect(files.some((file) => /^dist\/.+\.js$/.test(file))).toBe(true);
        const stray = files.filter(
          (file) =>
            !['package.json', 'README.md', ...bins].includes(file) &&
            !/^LICEN[CS]E/.test(file) &&
            !/^dist\/.+(\.d\.ts|\.js)$/.test(file),
        );
        expect(stray, 'only dist/**/*.js and .d.ts are published').toEqual([]);
        expect(files.filter((file) => /\.test\.|test-helpers|\/__tests__\//.test(file))).toEqual([]);
        for (const file of files.filter((f) => f.startsWith('dist/') && f.endsWith('.js')))
          expect(files, `declarations for ${file}`).toContain(file.replace(/\.js$/, '.d.ts'));
      });

      it('has a manifest whose exports, types and bin point into the tarball', () => {
        const { files, manifest } = tarball();
        expect(JSON.stringify(manifest)).not.toContain(SOURCE_CONDITION);
        expect(JSON.stringify(manifest)).not.toContain('workspace:');
        expect(manifest.engines?.node).toBe('>=22.12');
        expect(manifest.types).toMatch(/\.d\.ts$/);
        expect(files).toContain(manifest.types?.replace(/^\.\//, ''));
        for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
          for (const [conditions, file] of exportTargets(target)) {
            expect(files, `exports["${subpath}"].${conditions.join('.')}`).toContain(
              file.replace(/^\.\//, ''),
            );
          }
        }
        const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
        for (const bin of bins) expect(files).toContain(bin.replace(/^\.\//, ''));
      });

      it('depends on the other workspace packages at their current versions', () => {
        const { manifest } = tarball();
        for (const [dependency, range] of Object.entries(manifest.dependencies ?? {})) {
          const workspacePackage = packages.find((p: PublishedPackage) => p.manifest.name === dependency);
          if (workspacePackage) expect(range).toBe(`^${workspacePackage.manifest.version}`);
        }
      });
    });

    it('a fresh npm project runs a host app composed from the tarballs: a mock webhook changes a state', async () => {
      copyFileSync(join(import.meta.dirname, 'consumer-app.mjs'), join(consumer, 'app.mjs'));
      const { stdout } = await run(process.execPath, ['app.mjs'], { cwd: consumer, env, timeout: 30_000 });
      const observed = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
      expect(observed).toEqual({
        finchBefore: 'connected',
        finchAfter: 'needs_reauth',
        argyleAfter: 'needs_reauth',
        received: ['POST /hooks/webhooks/finch'],
        drained: true,
      });
    }, 40_000);

    it('a TypeScript consumer type-checks against the published declarations (skipLibCheck off)', async () => {
      copyFileSync(join(import.meta.dirname, 'consumer-types.mts'), join(consumer, 'index.mts'));
      writeFileSync(
        join(consumer, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2023',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            types: ['node'],
            // A kept consumer (see CONSUMER_CACHE) keeps tsc's results for unchanged files between runs.
            incremental: true,
            tsBuildInfoFile: 'consumer.tsbuildinfo',
          },
          files: ['index.mts'],
        }),
      );
      const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      // tsc exits non-zero on any error; run() then fails the test with tsc's report.
      const { stdout } = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--checkers', '1'], {
        cwd: consumer,
        env,
        timeout: 60_000,
      });
      expect(stdout).toBe('');
    }, 70_000);

    it('CommonJS hosts can require() the packages (Node 22.12+ require(esm) through the default condition)', async () => {
      const names = installed.map((p) => p.manifest.name);
      const script = `for (const name of ${JSON.stringify(names)}) require(name); console.log('ok');`;
      const { stdout } = await run(process.execPath, ['-e', script], { cwd: consumer, env, timeout: 20_000 });
      expect(stdout.trim()).toBe('ok');
    });

    // The examples' helpers (ExampleProvider, createExampleKit) must load without vitest, an optional peer; the
    // vitest store suite lives on its own subpath, `@reconnect-kit/core/testing/store-suite`.
    it('@reconnect-kit/core/testing loads in a project without vitest', async () => {
      await run(
        process.execPath,
        ['--input-type=module', '-e', "await import('@reconnect-kit/core/testing')"],
        {
          cwd: consumer,
          env,
          timeout: 20_000,
        },
      );
    });

    it('the reconnect-mock bin starts a mock that answers its admin API and exits cleanly on SIGTERM', async () => {
      const child = spawn(
        join(consumer, 'node_modules', '.bin', 'reconnect-mock'),
        ['finch', '--port', '0'],
        {
          cwd: consumer,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      try {
        const ready = JSON.parse(await firstLine(child)) as { provider: string; url: string };
        expect(ready.provider).toBe('finch');
        const health = await fetch(`${ready.url}/__admin/health`);
        expect(health.status).toBe(200);
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const [code, signal] = await exited;
        expect({ code, signal }).toEqual({ code: 0, signal: null });
      } finally {
        child.kill('SIGKILL');
      }
    }, 30_000);
  });
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!child.stdout) throw new Error('no stdout');
    const lines = createInterface({ input: child.stdout });
    lines.once('line', resolve);
    child.once('exit', (code) =>
      reject(new Error(`reconnect-mock exited with ${code} before its ready line`)),
    );
  });
}
