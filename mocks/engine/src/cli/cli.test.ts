import { type ChildProcessByStdio, spawn } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { CliError } from './cli-error.js';
import { loadProviderPackage } from './load-provider.js';
import { parseCliArgs } from './parse-args.js';
import { runCli } from './run-cli.js';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const CLI = source('../cli.ts');
const REGISTER_TS = source('../testing/register-ts.ts');
const TEST_DEFINITION = source('../testing/test-provider.ts');
const BIN = source('../../bin/reconnect-mock.js');

type Child = ChildProcessByStdio<null, Readable, Readable>;
const children: Child[] = [];

/** Spawns the real CLI entry with Node 24 (type stripping + a `.js`→`.ts` resolve hook: no build needed). */
function spawnCli(args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, ['--import', REGISTER_TS, CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  children.push(child);
  return child;
}

function collect(stream: Readable): { text: () => string } {
  let text = '';
  stream.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
  });
  return { text: () => text };
}

function firstLine(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const newline = buffered.indexOf('\n');
      if (newline >= 0) resolve(buffered.slice(0, newline));
    });
    stream.on('end', () => reject(new Error(`stdout ended without a line: ${JSON.stringify(buffered)}`)));
  });
}

function waitForText(stream: Readable, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      const match = pattern.exec(text);
      if (match) {
        stream.off('data', onData);
        resolve(match);
      }
    };
    stream.on('data', onData);
    stream.once('end', () => reject(new Error(`stream ended before ${pattern}: ${text}`)));
  });
}

const exited = (child: Child) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('reconnect-mock CLI (spawned)', () => {
  test('prints exactly one JSON line when ready, serves, and exits 0 on SIGTERM', async () => {
    const started = performance.now();
    const child = spawnCli(['testprov', '--definition', TEST_DEFINITION, '--port', '0'], {
      TESTPROV_MOCK_CLIENT_ID: 'env-client',
    });
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    const cpuReport = waitForText(child.stderr, /(\d+) ms CPU/);
    const line = await firstLine(child.stdout);
    const readyMs = performance.now() - started;
    const ready = JSON.parse(line) as { provider: string; url: string; credentials: Record<string, string> };
    expect(Object.keys(ready)).toEqual(['provider', 'url', 'credentials']);
    expect(ready.provider).toBe('testprov');
    expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.credentials).toEqual({
      client_id: 'env-client',
      client_secret: 'test-secret',
      webhook_secret: 'whsec_dGVzdA==',
    });
    // "Ready within a second" is checked on the CPU time the CLI used to get ready (it reports it on stderr):
    // wall-clock time on a shared 2-core box mostly measures the other processes. Wall time only gets a sanity bound.
    const cpuMs = Number((await cpuReport)[1]);
    expect(cpuMs, stderr.text()).toBeLessThan(1_000);
    expect(readyMs).toBeLessThan(10_000);

    const health = await fetch(`${ready.url}/__admin/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', provider: 'testprov' });

    const exit = exited(child);
    child.kill('SIGTERM');
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(stdout.text()).toBe(`${line}\n`);
    expect(stderr.text()).toContain('listening on');
    expect(stderr.text()).toContain('stopping');
  });

  test('--webhook-url and --webhook-secret configure deliveries from the start', async () => {
    const child = spawnCli([
      'testprov',
      '--definition',
      TEST_DEFINITION,
      '--webhook-url',
      'http://127.0.0.1:9/hook',
      '--webhook-secret',
      'whsec_cli',
    ]);
    const ready = JSON.parse(await firstLine(child.stdout)) as {
      url: string;
      credentials: Record<string, string>;
    };
    expect(ready.credentials.webhook_secret).toBe('whsec_cli');
    const settings = (await (await fetch(`${ready.url}/__admin/webhooks`)).json()) as Record<string, unknown>;
    expect(settings).toMatchObject({ url: 'http://127.0.0.1:9/hook', secret_set: true });
    const exit = exited(child);
    child.kill('SIGINT');
    expect((await exit).code).toBe(0);
  });

  test('the package bin runs the sources without a build and loads the vendor mock package', async () => {
    // What `npx reconnect-mock finch --port 0` runs right after `pnpm install` in a clone: no dist/ needed.
    const child = spawn(process.execPath, [BIN, 'finch', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const stderr = collect(child.stderr);
    const ready = JSON.parse(await firstLine(child.stdout)) as { provider: string; url: string };
    expect(ready.provider).toBe('finch');
    expect(await (await fetch(`${ready.url}/__admin/health`)).json()).toMatchObject({ provider: 'finch' });
    const exit = exited(child);
    child.kill('SIGINT');
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(stderr.text(), 'no Node warnings (the type-stripping one is expected and silenced)').not.toMatch(
      /Warning/,
    );
  });

  test('the bin keeps transformed sources between starts, and an edited source is transformed again', async () => {
    // A copy of the package (its dependencies linked), so editing a source touches neither the repository nor its cache.
    const copy = mkdtempSync(join(tmpdir(), 'rk-bin-cache-'));
    try {
      const engine = fileURLToPath(new URL('../../', import.meta.url));
      for (const part of ['bin', 'src', 'package.json'])
        cpSync(join(engine, part), join(copy, part), { recursive: true });
      mkdirSync(join(copy, 'node_modules'));
      for (const dependency of ['express', 'msw', 'zod'])
        symlinkSync(
          realpathSync(join(engine, 'node_modules', dependency)),
          join(copy, 'node_modules', dependency),
        );
      const usage = async () => {
        const child = spawn(process.execPath, [join(copy, 'bin', 'reconnect-mock.js')], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        children.push(child);
        const stderr = collect(child.stderr);
        expect((await exited(child)).code).toBe(2);
        return stderr.text();
      };
      expect(await usage()).toContain('usage: reconnect-mock <provider>');
      const cached = join(copy, 'node_modules', '.cache', 'reconnect-mock', 'ts');
      expect(readdirSync(cached).length).toBeGreaterThan(5);

      const errors = join(copy, 'src', 'cli', 'cli-error.ts');
      writeFileSync(
        errors,
        readFileSync(errors, 'utf8').replace('usage: reconnect-mock', 'usage: edited-mock'),
      );
      expect(await usage()).toContain('usage: edited-mock <provider>');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  test('an unknown flag is a usage error: exit 2, usage on stderr, nothing on stdout', async () => {
    const child = spawnCli(['testprov', '--definition', TEST_DEFINITION, '--prot', '0']);
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    expect((await exited(child)).code).toBe(2);
    expect(stdout.text()).toBe('');
    expect(stderr.text()).toContain("Unknown option '--prot'");
    expect(stderr.text()).toContain('usage: reconnect-mock <provider>');
  });
});

describe('argument parsing', () => {
  test('defaults and flags', () => {
    expect(parseCliArgs(['finch'])).toEqual({ provider: 'finch', port: 0, host: '127.0.0.1', help: false });
    expect(
      parseCliArgs(['argyle', '--port', '4010', '--host', '0.0.0.0', '--webhook-url', 'https://h.test/w']),
    ).toMatchObject({ provider: 'argyle', port: 4010, host: '0.0.0.0', webhookUrl: 'https://h.test/w' });
  });

  test.each([
    [[], 'missing <provider>'],
    [['a', 'b'], 'expected one provider, got a b'],
    [['finch', '--port', 'x'], '--port must be 0..65535, got "x"'],
    [['finch', '--port', '70000'], '--port must be 0..65535, got "70000"'],
    [['finch', '--webhook-url', 'not a url'], '--webhook-url must be an http(s) URL, got "not a url"'],
    [['../evil'], 'invalid provider name "../evil"'],
    [['finch', '--port'], "Option '--port <value>' argument missing"],
  ])('%j → usage error', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(expect.objectContaining({ exitCode: 2, message }));
  });
});

describe('runCli (in process)', () => {
  const quietIo = (lines: string[]) => ({
    stdout: { write: (text: string) => lines.push(text) },
    stderr: { write: () => true },
    env: {},
    stopSignal: () => Promise.resolve(),
  });

  test('an unknown provider names the known ones', async () => {
    await expect(runCli({}, ['nosuch'], quietIo([]))).rejects.toThrow(
      'unknown provider "nosuch" (known: ; or pass --definition <module>)',
    );
  });

  test('a definition for another provider is refused', async () => {
    await expect(runCli({}, ['finch', '--definition', TEST_DEFINITION], quietIo([]))).rejects.toThrow(
      'the definition is for provider "testprov", not "finch"',
    );
  });

  test('uses a registered definition loader and prints the ready line', async () => {
    const lines: string[] = [];
    const { testProvider } = await import('../testing/test-provider.js');
    await runCli({ testprov: async () => testProvider }, ['testprov'], quietIo(lines));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      provider: 'testprov',
      credentials: { client_id: 'test-client' },
    });
  });

  test('a loader function resolves any provider by name (the bin passes loadProviderPackage)', async () => {
    const lines: string[] = [];
    const asked: string[] = [];
    const { testProvider } = await import('../testing/test-provider.js');
    const loader = async (provider: string) => {
      asked.push(provider);
      return testProvider;
    };
    await runCli(loader, ['testprov'], quietIo(lines));
    expect(asked).toEqual(['testprov']);
    expect(JSON.parse(lines[0]!)).toMatchObject({ provider: 'testprov' });
  });

  test('a port in use is a clear error', async () => {
    const { startMockServer } = await import('../server.js');
    const { testProvider } = await import('../testing/test-provider.js');
    const taken = await startMockServer(testProvider, { catalogue: null, env: {} });
    const port = new URL(taken.url).port;
    await expect(
      runCli({ testprov: testProvider }, ['testprov', '--port', port], quietIo([])),
    ).rejects.toThrow(`cannot listen on 127.0.0.1:${port}: listen EADDRINUSE`);
    await taken.close();
  });

  test('--definition takes an installed package name as well as a file', async () => {
    const lines: string[] = [];
    await runCli({}, ['argyle', '--definition', '@reconnect-kit/mock-argyle'], quietIo(lines));
    expect(JSON.parse(lines[0]!)).toMatchObject({ provider: 'argyle' });
    await expect(
      runCli({}, ['argyle', '--definition', '@reconnect-kit/mock-nosuch'], quietIo([])),
    ).rejects.toThrow(/^--definition: package @reconnect-kit\/mock-nosuch is not installed/);
    await expect(runCli({}, ['argyle', '--definition', './nosuch.js'], quietIo([]))).rejects.toThrow(
      /^--definition: \.\/nosuch\.js is neither a file \(no .*nosuch\.js\) nor a package name$/,
    );
  });

  test('a missing vendor package gives a clear error', async () => {
    const error = await loadProviderPackage('nosuchvendor').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toMatch(
      /^cannot load the "nosuchvendor" mock: package @reconnect-kit\/mock-nosuchvendor is not installed/,
    );
  });
});
