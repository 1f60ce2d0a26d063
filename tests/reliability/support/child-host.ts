import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { type ConnectionStore, SqliteConnectionStore } from '@reconnect-kit/core';
import { createPostgresStore } from '@reconnect-kit/store-postgres';
import { createHost, listen, ShiftedClock } from './host.js';

/**
 * Test-only child process: the reliability host app on a store chosen by the environment, listening on a free
 * port. Prints `{"url"}` when ready; every event the outbox delivers is appended to RK_DELIVERY_LOG (a
 * synchronous write, so a `kill -9` loses nothing that was handed over). Commands on stdin:
 * `drain` → delivers until the outbox is empty, prints `{"pending"}`; `stop` → closes everything and exits 0.
 */

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set.`);
  return value;
};

async function openStore(): Promise<ConnectionStore> {
  if (env('RK_STORE') === 'sqlite') return new SqliteConnectionStore(env('RK_SQLITE_PATH'));
  return createPostgresStore({
    connectionString: env('DATABASE_URL'),
    schema: env('RK_SCHEMA'),
    migrate: false,
  });
}

const store = await openStore();
const finchUrl = process.env.RK_FINCH_URL;
const { app, service } = createHost({
  store,
  clock: new ShiftedClock(Number(process.env.RK_CLOCK_OFFSET_MS ?? '0')),
  outboxLeaseMs: Number(process.env.RK_OUTBOX_LEASE_MS ?? '30000'),
  ...(finchUrl && {
    finch: {
      baseUrl: finchUrl,
      clientId: env('RK_FINCH_CLIENT_ID'),
      clientSecret: env('RK_FINCH_CLIENT_SECRET'),
      webhookSecret: env('RK_FINCH_WEBHOOK_SECRET'),
    },
  }),
});
const deliveryLog = process.env.RK_DELIVERY_LOG;
if (deliveryLog) {
  service.subscribe((event) => appendFileSync(deliveryLog, `${event.id}\n`));
  service.startDispatcher();
}
const server = await listen(app);
const send = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);
send({ url: server.url });

for await (const command of createInterface({ input: process.stdin })) {
  if (command === 'drain') {
    await service.stopDispatcher();
    while ((await service.deliverOutbox()) > 0) {
      // keep going until a round delivers nothing
    }
    send({ pending: (await store.listOutbox({ status: 'pending', limit: 1_000_000 })).length });
  } else if (command === 'stop') {
    break;
  }
}
await service.stopDispatcher();
await server.close();
await store.close();
process.exit(0);
