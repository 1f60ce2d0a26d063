/**
 * Interleaved, time-boxed ingestion rounds shared by the SQLite and PostgreSQL benchmarks. Each round hands the
 * SAME pre-built, pre-signed deliveries to the bare loop and to the service; each side processes them for at
 * most `secondsPerSide` and reports events/s. Batches are sized from the warm-up speed, so a slow disk shortens
 * the batch instead of stretching the run.
 */
import { deliveries } from './argyle-webhooks.mjs';
import { interleave } from './stats.mjs';

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
 * `bare(delivery)` and `service(delivery)` each ingest one delivery (`service` returns the IngestResult).
 * Returns the per-round events/s of both sides; throws if the service did not apply every delivery it was given
 * (a benchmark of a path that silently drops events would measure nothing).
 */
export async function ingestionRounds({ accounts, bare, service, rounds, secondsPerSide, log, label }) {
  let next = 0;
  let applied = 0;
  let given = 0;
  const build = (count) => {
    const batch = deliveries(accounts, next, count);
    next += count;
    return batch;
  };
  const serviceOne = async (delivery) => {
    const result = await service(delivery);
    applied += result.applied;
  };

  // Warm-up (JIT, statement caches, WAL/pool connections), not counted; it also sizes the batches.
  const warmUp = build(200);
  const bareSpeed = (await timed(warmUp, secondsPerSide / 2, bare)).perSecond;
  const serviceSpeed = (await timed(warmUp, secondsPerSide / 2, serviceOne)).perSecond;
  const batchSize = Math.min(
    30_000,
    Math.max(200, Math.ceil(Math.max(bareSpeed, serviceSpeed) * secondsPerSide * 1.5)),
  );

  let batch = [];
  const side = (ingestOne, countsApplied) => async (round) => {
    // The side that goes first in a round builds that round's batch (see `interleave`'s order).
    if ((round % 2 === 0) === (ingestOne === bare)) batch = build(batchSize);
    const { done, perSecond } = await timed(batch, secondsPerSide, ingestOne);
    if (countsApplied) given += done;
    return perSecond;
  };
  applied = 0;
  const samples = await interleave(rounds, side(bare, false), side(serviceOne, true), {
    onRound: (round, s) =>
      log(
        `  ${label} round ${round + 1}/${rounds}: bare ${Math.round(s.baseline.at(-1))}/s, service ${Math.round(s.subject.at(-1))}/s`,
      ),
  });
  if (applied !== given) throw new Error(`${label}: the service applied ${applied} of ${given} deliveries`);
  return { samples, batchSize, delivered: given };
}
