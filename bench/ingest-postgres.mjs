/**
 * Figure 6: webhook ingestion on PostgreSQL (`@reconnect-kit/store-postgres`, in a schema of its own that is
 * dropped afterwards), beside a bare loop inserting one row per delivery over `pg` and beside the service on the
 * SQLite file store, all interleaved on the same deliveries.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bareReceiver, makeAccounts } from './lib/argyle-webhooks.mjs';
import { composeArgyleService, registerConnections } from './lib/compose.mjs';
import { ingestionRounds } from './lib/ingest-rounds.mjs';
import { importBuilt, importDependencyOf } from './lib/packages.mjs';
import { figure } from './lib/stats.mjs';

const CONNECTION_STRING = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ACCOUNTS = 200;
const ROUNDS = 5;
const SECONDS_PER_ROUND = 3;

export async function run({ log }) {
  const schema = `bench_${process.pid}_${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), 'reconnect-kit-bench-'));
  const { Client } = await importDependencyOf('store-postgres', 'pg');
  const { createPostgresStore } = await importBuilt('store-postgres');
  const client = new Client({ connectionString: CONNECTION_STRING });
  await client.connect();
  const closers = [];
  try {
    const pgStore = await createPostgresStore({ connectionString: CONNECTION_STRING, schema });
    closers.push(() => pgStore.close());
    await client.query(`CREATE TABLE ${schema}.bare_events (seq BIGSERIAL PRIMARY KEY, account TEXT NOT NULL,
      event TEXT NOT NULL, status TEXT NOT NULL, updated_at TEXT NOT NULL, received_at TEXT NOT NULL)`);
    const insert = `INSERT INTO ${schema}.bare_events (account, event, status, updated_at, received_at)
      VALUES ($1, $2, $3, $4, $5)`;
    const postgres = await composeArgyleService({ store: pgStore });
    const sqlite = await composeArgyleService({ store: { kind: 'sqlite', path: join(dir, 'store.db') } });
    closers.push(() => sqlite.store.close());
    const accounts = makeAccounts(ACCOUNTS);
    await registerConnections(postgres.service, accounts);
    await registerConnections(sqlite.service, accounts);
    const ingestWith = (service) => ({
      ingest: ({ body, headers }) => service.ingestWebhook('argyle', body, headers),
      service: true,
    });
    const { samples } = await ingestionRounds({
      accounts,
      sides: {
        bare: { ingest: bareReceiver((row) => client.query(insert, row)) },
        postgres: ingestWith(postgres.service),
        sqlite: ingestWith(sqlite.service),
      },
      rounds: ROUNDS,
      secondsPerRound: SECONDS_PER_ROUND,
      log,
      label: 'postgres',
    });
    const workload = `${ACCOUNTS} connections, the same signed accounts.updated deliveries as figure 1 (each applies a transition), one at a time; ${ROUNDS} rounds of about ${SECONDS_PER_ROUND} s after a warm-up, the three sides taking turns every 20 deliveries (rotating who goes first). PostgreSQL at 127.0.0.1:5432 with its default synchronous_commit, store pool of 10, schema ${schema} dropped afterwards.`;
    const postgresSide = { label: 'service.ingestWebhook, PostgreSQL store', samples: samples.postgres };
    return [
      figure({
        id: 'ingest.postgres.ratio',
        title: 'PostgreSQL ingestion vs bare pg loop',
        unit: 'events/s',
        baseline: {
          label: 'bare loop: HMAC check + JSON.parse + 1 INSERT over one pg client',
          samples: samples.bare,
        },
        subject: postgresSide,
        // One round trip per delivery, like the bare loop: the store remembers the connection it checks.
        target: { op: '>=', value: 0.5 },
        notes: workload,
      }),
      figure({
        id: 'ingest.postgres-vs-sqlite',
        title: 'PostgreSQL ingestion beside the SQLite file store (info)',
        unit: 'events/s',
        baseline: { label: 'service.ingestWebhook, SQLite file store', samples: samples.sqlite },
        subject: postgresSide,
        notes: workload,
      }),
    ];
  } finally {
    for (const close of closers.reverse()) await close();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
    rmSync(dir, { recursive: true, force: true });
  }
}
