import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { DATABASE_URL } from './database.js';

/**
 * Test-only: a real PgBouncer (Debian's `pgbouncer` package) in transaction pooling mode on a free local port,
 * in front of the test database, trust auth. `.ci/run` installs the package.
 */

const CANDIDATES = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer'];

/** The PgBouncer binary, or undefined when the package is not installed. */
export function pgBouncerBinary(): string | undefined {
  return CANDIDATES.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export interface RunningPgBouncer {
  /** `postgres://…` through the pooler (same database, user and name as the test database). */
  readonly connectionString: string;
  /** The admin console (`SHOW POOLS`, `SHOW CONFIG`). */
  readonly adminConnectionString: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return address.port;
}

export async function startPgBouncer(options: { poolSize?: number } = {}): Promise<RunningPgBouncer> {
  const binary = pgBouncerBinary();
  if (!binary) throw new Error('pgbouncer is not installed (apt-get install -y pgbouncer)');
  const target = new URL(DATABASE_URL);
  const user = decodeURIComponent(target.username || 'postgres');
  const database = target.pathname.slice(1) || 'test';
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'rk-pgbouncer-'));
  // PgBouncer refuses to run as root; it then drops to `nobody`, who must read the config.
  chmodSync(dir, 0o755);
  const ini = path.join(dir, 'pgbouncer.ini');
  const users = path.join(dir, 'users.txt');
  writeFileSync(users, `"${user}" ""\n`, { mode: 0o644 });
  writeFileSync(
    ini,
    [
      '[databases]',
      `${database} = host=${target.hostname} port=${target.port || 5432} dbname=${database} user=${user}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${users}`,
      `admin_users = ${user}`,
      'pool_mode = transaction',
      'max_client_conn = 500',
      `default_pool_size = ${options.poolSize ?? 8}`,
      'ignore_startup_parameters = extra_float_digits,options',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const asRoot = process.getuid?.() === 0;
  const child: ChildProcess = spawn(binary, asRoot ? ['-u', 'nobody', ini] : [ini], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready once a query goes through it.
  for (let round = 0; ; round += 1) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`pgbouncer exited with ${child.exitCode}: ${stderr}`);
    }
    const client = new Client({ connectionString: `${base}/${database}` });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => {});
      if (round >= 100) {
        await stop();
        throw new Error(`pgbouncer did not accept connections: ${String(error)}; ${stderr}`);
      }
      await sleep(50);
    }
  }
  return { connectionString: `${base}/${database}`, adminConnectionString: `${base}/pgbouncer`, stop };
}
