/**
 * `fleet.ingest.scaling` (info): webhook ingestion throughput of four instances (four services on four pools of
 * `@reconnect-kit/store-postgres`, each with its own accounts, deliveries in flight concurrently) divided by one
 * instance's, on the same database (a schema of its own, dropped afterwards). The instances are services in this
 * one process; every coordination between them goes through PostgreSQL, exactly as between processes.
 */
import { deliveries, makeAccounts } from './lib/argyle-webhooks.mjs';
import { composeArgyleService, registerConnections } from './lib/compose.mjs';
import { importBuilt, importDependencyOf } from './lib/packages.mjs';
import { figure } from './lib/stats.mjs';

const CONNECTION_STRING = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const INSTANCES = 4;
const INGEST_ACCOUNTS_PER_INSTANCE = 100;
const INGEST_IN_FLIGHT = 8;
const INGEST_SECONDS = 3;

async function ingestFigure({ log, schema, storePostgres }) {
  const instances = [];
  for (let i = 0; i < INSTANCES; i += 1) {
    const store = await storePostgres.createPostgresStore({
      connectionString: CONNECTION_STRING,
      schema,
      migrate: false,
    });
    const { service } = await composeArgyleService({ store });
    const accounts = makeAccounts(INGEST_ACCOUNTS_PER_INSTANCE * (i + 1)).slice(
      INGEST_ACCOUNTS_PER_INSTANCE * i,
    );
    await registerConnections(service, accounts);
    instances.push({ service, store, accounts, next: 0 });
  }
  /** Deliveries ingested per second by `count` instances together, each with INGEST_IN_FLIGHT in flight. */
  const measure = async (count) => {
    const active = instances.slice(0, count);
    let done = 0;
    const until = performance.now() + INGEST_SECONDS * 1000;
    await Promise.all(
      active.flatMap((instance) =>
        Array.from({ length: INGEST_IN_FLIGHT }, async () => {
          while (performance.now() < until) {
            // Built as sent (the same small cost on both sides); a delivery is never sent twice.
            const [{ body, headers }] = deliveries(instance.accounts, instance.next, 1);
            instance.next += 1;
            await instance.service.ingestWebhook('argyle', body, headers);
            done += 1;
          }
        }),
      ),
    );
    return done / INGEST_SECONDS;
  };
  try {
    await measure(1); // warm-up
    const one = [];
    const four = [];
    for (let round = 0; round < 2; round += 1) {
      one.push(await measure(1));
      four.push(await measure(INSTANCES));
    }
    log(
      `  ingestion: 1 instance ${one.map(Math.round).join(', ')}/s; ${INSTANCES} instances ${four.map(Math.round).join(', ')}/s`,
    );
    return figure({
      id: 'fleet.ingest.scaling',
      title: `Fleet ingestion: ${INSTANCES} instances vs 1 on one database (info)`,
      unit: 'events/s',
      baseline: { label: '1 instance, 8 deliveries in flight', samples: one },
      subject: { label: `${INSTANCES} instances, 8 deliveries in flight each`, samples: four },
      notes: `Signed accounts.updated deliveries through service.ingestWebhook (each a transition on the instance's own ${INGEST_ACCOUNTS_PER_INSTANCE} accounts), ${INGEST_SECONDS} s per run, 2 rounds after a warm-up; store pools of 10; default synchronous_commit. The instances share this process's one CPU core and the machine's 2 cores with PostgreSQL, so the ratio shows the database-side limit (commit rate and CPU), not more application CPU.`,
    });
  } finally {
    for (const instance of instances) await instance.store.close();
  }
}

export async function run({ log }) {
  const schema = `bench_fleet_${process.pid}_${Date.now().toString(36)}`;
  const pg = await importDependencyOf('store-postgres', 'pg');
  const storePostgres = await importBuilt('store-postgres');
  const migrator = await storePostgres.createPostgresStore({ connectionString: CONNECTION_STRING, schema });
  try {
    return [await ingestFigure({ log, schema, storePostgres })];
  } finally {
    await migrator.close();
    const admin = new pg.Pool({ connectionString: CONNECTION_STRING, max: 1 });
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}
