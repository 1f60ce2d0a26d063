import { createInterface } from 'node:readline';
import { createExampleKit } from '@reconnect-kit/core/testing';
import { createPostgresStore } from '../index.js';

/**
 * Test-only child process (see cross-process.test.ts): one app instance completing a reconnection 10 times
 * concurrently against a shared schema. Talks to the parent in JSON lines: prints `{"ready":true}`, waits for
 * `go`, starts the completions with the vendor's code exchange held, waits for `release`, prints each one's outcome
 * (or the error code it was refused with).
 */

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set.`);
  return value;
};

const store = await createPostgresStore({
  connectionString: env('DATABASE_URL'),
  schema: env('RK_SCHEMA'),
  migrate: false,
});
const kit = createExampleKit({ store });
kit.vendor.issueCode('code_1', { accountId: 'acc_1', ownerId: 'owner_1', token: 'tok_new' });

const commands = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const expect = async (command: string) => {
  const { value } = await commands.next();
  if (value !== command) throw new Error(`expected "${command}", got "${String(value)}"`);
};
const send = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);

send({ ready: true });
await expect('go');
const release = kit.vendor.holdExchanges();
const completions = Array.from({ length: 10 }, () =>
  kit.service.completeReconnection({ state: env('RK_STATE'), code: 'code_1' }),
);
await expect('release');
release();
// Each completion's outcome, or the code it was refused with (a state is single use across processes).
const settled = await Promise.allSettled(completions);
const results = settled.map((result) =>
  result.status === 'fulfilled' ? result.value.outcome : String((result.reason as { code?: unknown }).code),
);
send({ exchanges: kit.vendor.exchangeCount(), results });
await kit.service.stopDispatcher();
await store.close();
process.stdin.destroy();
