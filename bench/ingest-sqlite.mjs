/**
 * Figure 1: in-process webhook ingestion, `service.ingestWebhook` on the node:sqlite FILE store, against a bare
 * loop that verifies the same signature, parses the JSON and inserts one row with the store's SQLite settings.
 * Deliveries arrive in bursts of CHUNK (handed to each side at once, as concurrent deliveries reach a server); the
 * same file pair with one delivery at a time, and the burst pair on `:memory:` databases (no disk, to separate CPU
 * cost from I/O cost), are reported beside it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { bareReceiver, makeAccounts } from './lib/argyle-webhooks.mjs';
import { composeArgyleService, registerConnections } from './lib/compose.mjs';
import { CHUNK, ingestionRounds } from './lib/ingest-rounds.mjs';
import { figure } from './lib/stats.mjs';

const ACCOUNTS = 200;
const ROUNDS = 5;
const SECONDS_PER_ROUND = 2;

/**
 * The bare loop's database, opened with the journal mode, `synchronous` level and WAL checkpoint interval the
 * store reports for its own handle (`SqliteConnectionStore#durability`), so both sides pay the same fsync and
 * checkpoint policy.
 */
function openBareDatabase(path, { journalMode, synchronous, walAutocheckpointPages }) {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA busy_timeout = 5000');
  if (path !== ':memory:') {
    db.exec(`PRAGMA journal_mode = ${journalMode}`);
    db.exec(`PRAGMA wal_autocheckpoint = ${walAutocheckpointPages}`);
  }
  db.exec(`PRAGMA synchronous = ${synchronous}`);
  db.exec('PRAGMA foreign_keys = ON');
  db.exec(`CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL,
           event TEXT NOT NULL, status TEXT NOT NULL, updated_at TEXT NOT NULL, received_at TEXT NOT NULL)`);
  return db;
}

async function measure({ label, bareDb, storePath, log, arrival }) {
  // NORMAL, not the store's FULL default: this figure measures the code, not the disk's fsync (that cost is the
  // `ingest.sqlite-full-vs-normal` figure, bench/sqlite-durability.mjs).
  const storeChoice =
    storePath === ':memory:'
      ? { kind: 'sqlite', path: storePath }
      : { kind: 'sqlite', path: storePath, synchronous: 'normal' };
  const { service, store } = await composeArgyleService({ store: storeChoice });
  const durability = store.durability;
  if (!durability) throw new Error('the built SqliteConnectionStore does not report its durability settings');
  const db = openBareDatabase(bareDb, durability);
  const insert = db.prepare(
    'INSERT INTO events (account, event, status, updated_at, received_at) VALUES (?, ?, ?, ?, ?)',
  );
  const accounts = makeAccounts(ACCOUNTS);
  await registerConnections(service, accounts);
  const before = store.commitStats;
  try {
    const result = await ingestionRounds({
      accounts,
      sides: {
        bare: { ingest: bareReceiver((row) => insert.run(...row)) },
        service: {
          ingest: ({ body, headers }) => service.ingestWebhook('argyle', body, headers),
          service: true,
        },
      },
      rounds: ROUNDS,
      secondsPerRound: SECONDS_PER_ROUND,
      log,
      label,
      arrival,
    });
    const after = store.commitStats;
    const commits = {
      commits: after.commits - before.commits,
      transactions: after.transactions - before.transactions,
    };
    return { ...result, durability, commits };
  } finally {
    db.close();
    await store.close();
  }
}

export async function run({ log }) {
  const dir = mkdtempSync(join(tmpdir(), 'reconnect-kit-bench-'));
  const file = (name, arrival) =>
    measure({
      label: `file, ${arrival}`,
      bareDb: join(dir, `bare-${name}.db`),
      storePath: join(dir, `store-${name}.db`),
      log,
      arrival,
    });
  try {
    const burst = await file('burst', 'burst');
    const serial = await file('serial', 'serial');
    const memory = await measure({
      label: 'memory, burst',
      bareDb: ':memory:',
      storePath: ':memory:',
      log,
      arrival: 'burst',
    });
    const workload = `${ACCOUNTS} connections; signed Argyle accounts.updated deliveries alternately breaking and repairing them (each applies a transition; breaks also queue a user notification); ${ROUNDS} rounds of about ${SECONDS_PER_ROUND} s after a warm-up; within a round the two sides take turns every ${CHUNK} deliveries on the same deliveries, and each side's events/s is over its own summed time; the ratio is the median of the per-round ratios`;
    const bursts = ({ commits, transactions }) =>
      `each side is handed its ${CHUNK} deliveries at once (Promise.all), as a server sees concurrent deliveries; the bare loop's inserts are synchronous, so it still does them one by one, while the store commits the service's queued transactions together (${commits === 0 ? 0 : (transactions / commits).toFixed(1)} transactions per commit in this run)`;
    const settings = `Files in ${tmpdir()}, journal_mode=${burst.durability.journalMode}, synchronous=${burst.durability.synchronous}, wal_autocheckpoint=${burst.durability.walAutocheckpointPages} on both sides (what the store reports for its own handle, opened with synchronous: 'normal'; the cost of the FULL default is figure ingest.sqlite-full-vs-normal).`;
    const fileSides = {
      unit: 'events/s',
      baseline: {
        label: 'bare loop: HMAC check + JSON.parse + 1 INSERT (file, WAL)',
        samples: burst.samples.bare,
      },
      subject: { label: 'service.ingestWebhook, SQLite file store', samples: burst.samples.service },
      notes: `${workload}; ${bursts(burst.commits)}. ${settings}`,
    };
    return [
      figure({
        id: 'ingest.sqlite.ratio',
        title: 'In-process ingestion (SQLite file) vs bare loop',
        ...fileSides,
        target: { op: '>=', value: 0.5 },
      }),
      figure({
        id: 'ingest.sqlite.throughput',
        title: 'In-process ingestion throughput (SQLite file)',
        ...fileSides,
        target: { op: '>=', value: 10_000 },
        absolute: true,
      }),
      figure({
        id: 'ingest.sqlite-serial.ratio',
        title: 'In-process ingestion (SQLite file), one delivery at a time, vs bare loop (info)',
        unit: 'events/s',
        baseline: { label: 'bare loop (file, WAL)', samples: serial.samples.bare },
        subject: { label: 'service.ingestWebhook, SQLite file store', samples: serial.samples.service },
        notes: `${workload}; each delivery awaited before the next, so every transaction has a commit of its own. ${settings}`,
      }),
      figure({
        id: 'ingest.sqlite-memory.ratio',
        title: 'In-process ingestion (SQLite :memory:) vs bare loop, no disk (info)',
        unit: 'events/s',
        baseline: { label: 'bare loop on :memory:', samples: memory.samples.bare },
        subject: { label: 'service.ingestWebhook, SQLite :memory: store', samples: memory.samples.service },
        notes: `${workload}; ${bursts(memory.commits)}. Both databases in memory: the CPU cost alone, without fsync.`,
      }),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
