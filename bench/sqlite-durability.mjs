/**
 * What the SQLite store's default `synchronous=FULL` (an acknowledged webhook survives power loss) costs against
 * the `NORMAL` opt-in (survives a process crash only): the same service on two file stores, fed the same signed
 * deliveries in bursts of CHUNK, so group commit shares each fsync among the transactions queued behind it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeAccounts } from './lib/argyle-webhooks.mjs';
import { composeArgyleService, registerConnections } from './lib/compose.mjs';
import { CHUNK, ingestionRounds } from './lib/ingest-rounds.mjs';
import { figure } from './lib/stats.mjs';

const ACCOUNTS = 200;
const ROUNDS = 5;
const SECONDS_PER_ROUND = 2;

export async function run({ log }) {
  // The OS temp directory, on disk here: fsync on a memory file system would cost nothing and measure nothing.
  const dir = mkdtempSync(join(tmpdir(), 'reconnect-kit-bench-'));
  const accounts = makeAccounts(ACCOUNTS);
  const open = async (synchronous) => {
    const composed = await composeArgyleService({
      store: { kind: 'sqlite', path: join(dir, `${synchronous}.db`), synchronous },
    });
    await registerConnections(composed.service, accounts);
    return composed;
  };
  const full = await open('full');
  const normal = await open('normal');
  try {
    const side = ({ service }) => ({
      ingest: ({ body, headers }) => service.ingestWebhook('argyle', body, headers),
      service: true,
    });
    const before = full.store.commitStats;
    const { samples } = await ingestionRounds({
      accounts,
      sides: { normal: side(normal), full: side(full) },
      rounds: ROUNDS,
      secondsPerRound: SECONDS_PER_ROUND,
      log,
      label: 'synchronous FULL vs NORMAL',
      arrival: 'burst',
    });
    const after = full.store.commitStats;
    const perCommit =
      (after.transactions - before.transactions) / Math.max(1, after.commits - before.commits);
    return [
      figure({
        id: 'ingest.sqlite-full-vs-normal.ratio',
        title: 'SQLite file store: synchronous=FULL (default) vs NORMAL (opt-in), group commit (info)',
        unit: 'events/s',
        baseline: {
          label: 'service.ingestWebhook, SQLite file, WAL + synchronous=NORMAL',
          samples: samples.normal,
        },
        subject: {
          label: 'service.ingestWebhook, SQLite file, WAL + synchronous=FULL',
          samples: samples.full,
        },
        notes: `${ACCOUNTS} connections; signed Argyle accounts.updated deliveries alternately breaking and repairing them; ${ROUNDS} rounds of about ${SECONDS_PER_ROUND} s; the two stores take turns every ${CHUNK} deliveries, each handed its ${CHUNK} at once (${perCommit.toFixed(1)} transactions per FULL commit in this run). Files in ${tmpdir()}.`,
      }),
    ];
  } finally {
    await full.store.close();
    await normal.store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
