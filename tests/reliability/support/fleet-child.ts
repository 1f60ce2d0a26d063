import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { registerArgyle } from '@reconnect-kit/argyle';
import {
  HTTP_FETCH,
  RECONNECTION_SERVICE,
  type ReconnectionService,
  registerReconnectKit,
} from '@reconnect-kit/core';
import { TEST_SECRET_BOX, TEST_STATE_SIGNING_KEY } from '@reconnect-kit/core/testing';
import { createPostgresStore, PostgresVendorBudget } from '@reconnect-kit/store-postgres';
import { Pool } from 'pg';
import { container } from 'tsyringe';

/**
 * Test-only child process: one app instance of a fleet sweeping the Argyle mock (RK_ARGYLE_URL) from the shared
 * PostgreSQL schema, under the fleet's vendor budget (RK_BUDGET_RATE calls/s for argyle). Prints `{"ready":true}`
 * once its sweeper runs; `stop` stops it cleanly (claims not yet checked go back) and exits 0.
 */

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set.`);
  return value;
};

const schema = env('RK_SCHEMA');
const store = await createPostgresStore({ connectionString: env('DATABASE_URL'), schema, migrate: false });
const budgetPool = new Pool({ connectionString: env('DATABASE_URL'), max: 4 });
const scope = container.createChildContainer();
registerReconnectKit(scope, {
  stateSigningKey: TEST_STATE_SIGNING_KEY,
  secretBox: TEST_SECRET_BOX,
  store,
  vendorBudget: new PostgresVendorBudget({
    pool: budgetPool,
    schema,
    ratesPerSecond: { argyle: Number(env('RK_BUDGET_RATE')) },
    // The mock counts arrivals, and on a test machine running other suites at once the mock's event loop can
    // take a call in 100+ ms late: a wider slack keeps such delays inside the budget (the default 50 is sized
    // for a host whose calls reach the vendor with steadier delays).
    jitterMs: 200,
  }),
});
// Every vendor call's start time, appended at once (a killed process keeps what it wrote): the budget's promise is
// about starts, which the test checks against the rate.
const callLog = env('RK_CALL_LOG');
scope.register(HTTP_FETCH, {
  useValue: (input: string | URL | Request, init?: RequestInit) => {
    appendFileSync(callLog, `${Date.now()}\n`);
    return fetch(input, init);
  },
});
registerArgyle(scope, {
  apiKeyId: env('RK_ARGYLE_KEY_ID'),
  apiKeySecret: env('RK_ARGYLE_KEY_SECRET'),
  baseUrl: `${env('RK_ARGYLE_URL')}/v2`,
  webhookSecret: 'fleet-webhook-secret',
  linkUrl: `${env('RK_ARGYLE_URL')}/link`,
});
const service = scope.resolve<ReconnectionService>(RECONNECTION_SERVICE);
const sweeper = service.startSweeper({
  intervalMs: Number(env('RK_INTERVAL_MS')),
  leaseMs: Number(env('RK_LEASE_MS')),
  batchSize: 4,
  concurrency: 2,
  ratePerSecond: 1_000,
  pollMs: 200,
});
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);

for await (const command of createInterface({ input: process.stdin })) {
  if (command === 'stop') break;
}
await sweeper.stop();
await store.close();
await budgetPool.end();
process.exit(0);
