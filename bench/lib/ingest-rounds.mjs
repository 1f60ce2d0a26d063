/**
 * Interleaved, time-boxed ingestion rounds shared by the SQLite and PostgreSQL benchmarks. Each round hands the
 * SAME pre-built, pre-signed deliveries to every side (a bare loop, one or more services); each side processes
 * them for at most `secondsPerSide` and reports events/s. Batches are sized from the warm-up speed, so a slow
 * disk shortens the batch instead of stretching the run.
 */
import { deliveries } from './argyle-webhooks.mjs';
import { interleaveSides } from './stats.mjs';

async function timed(batch, seconds, ingestOne) {
  const startedAt = performance.now();
  const deadline = startedAt + seconds * 1000;
  let done = 0;
  while (done < batch.length && performance.now() < deadline) {
    await ingestOne(batch[done]);
    done += 1;
  }
  return { done, perSecond: done / ((performance.now() - startedAt) / 1000) };
}

/**
 * `sides`: `{ name: { ingest(delivery), service: boolean } }`; a service side's `ingest` returns the
 * IngestResult, and the run throws unless it applied every delivery it was given (a benchmark of a path that
 * silently drops events would measure nothing). Returns `{ samples: { name: events/s[] }, batchSize }`.
 */
export async function ingestionRounds({ accounts, sides, rounds, secondsPerSide, log, label }) {
  let next = 0;
  const build = (count) => {
    const batch = deliveries(accounts, next, count);
    next += count;
    return batch;
  };
  const tally = {};
  const counted = (name, { ingest, service }) => {
    tally[name] = { given: 0, applied: 0 };
    return service
      ? async (delivery) => {
          tally[name].applied += (await ingest(delivery)).applied;
        }
      : ingest;
  };
  const runners = Object.fromEntries(
    Object.entries(sides).map(([name, side]) => [name, counted(name, side)]),
  );

  // Warm-up (JIT, statement caches, WAL files, pool connections), not counted; it also sizes the batches.
  const warmUp = build(200);
  let fastest = 0;
  for (const ingestOne of Object.values(runners)) {
    fastest = Math.max(fastest, (await timed(warmUp, secondsPerSide / 2, ingestOne)).perSecond);
  }
  const batchSize = Math.min(30_000, Math.max(200, Math.ceil(fastest * secondsPerSide * 1.5)));
  for (const counts of Object.values(tally)) counts.applied = 0;

  let batch = [];
  const round = (name) => async (_round, position) => {
    if (position === 0) batch = build(batchSize);
    const { done, perSecond } = await timed(batch, secondsPerSide, runners[name]);
    tally[name].given += done;
    return perSecond;
  };
  const samples = await interleaveSides(
    rounds,
    Object.fromEntries(Object.keys(sides).map((name) => [name, round(name)])),
    {
      onRound: (index, s) =>
        log(
          `  ${label} round ${index + 1}/${rounds}: ${Object.entries(s)
            .map(([name, values]) => `${name} ${Math.round(values.at(-1))}/s`)
            .join(', ')}`,
        ),
    },
  );
  for (const [name, { given, applied }] of Object.entries(tally)) {
    if (sides[name].service && applied !== given) {
      throw new Error(`${label}: ${name} applied ${applied} of ${given} deliveries`);
    }
  }
  return { samples, batchSize };
}
