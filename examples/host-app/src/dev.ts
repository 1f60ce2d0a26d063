/**
 * `pnpm dev`: the example host app with both mocks in one process. Prints one line with the URL to open.
 * PORT (default 3000; a free port when taken), DATABASE_URL (PostgreSQL instead of the sqlite file),
 * STATE_SIGNING_KEY and SECRET_KEY (default: random per run) are read from the environment.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConsoleLogger } from '@reconnect-kit/core';
import { startHostApp } from './app.js';
import type { StoreChoice } from './compose.js';

const DATA_DIR = resolve('.reconnect-kit');

function storeFromEnv(): StoreChoice {
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl)
    return { kind: 'postgres', connectionString: databaseUrl, schema: process.env.DATABASE_SCHEMA };
  // The mocks start empty on every run, so connections stored by an earlier run would point at nothing.
  mkdirSync(DATA_DIR, { recursive: true });
  const path = resolve(DATA_DIR, 'host-app.sqlite');
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  return { kind: 'sqlite', path };
}

function portFromEnv(): number {
  const raw = process.env.PORT ?? '3000';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number (0-65535), got "${raw}"`);
  }
  return port;
}

async function main(): Promise<void> {
  const port = portFromEnv();
  const app = await startHostApp({
    port,
    fallbackToFreePort: true,
    store: storeFromEnv(),
    mockEnv: process.env,
    stateSigningKey: process.env.STATE_SIGNING_KEY,
    secretKey: process.env.SECRET_KEY,
    logger: new ConsoleLogger({ log: () => {}, error: (...args: unknown[]) => console.error(...args) }),
  });
  const busy = port !== 0 && new URL(app.url).port !== String(port) ? ` (port ${port} was busy)` : '';
  console.log(
    `Reconnect Kit demo ready: open ${app.url}${busy}  · Argyle mock ${app.mocks.argyle} · Finch mock ${app.mocks.finch} · Plaid mock ${app.mocks.plaid} · Ctrl-C to stop`,
  );
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1); // a second Ctrl-C: give up waiting
    stopping = true;
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`shutdown after ${signal} failed:`, error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error('The demo could not start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
