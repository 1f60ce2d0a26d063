/**
 * Interleaved ingestion rounds shared by the SQLite and PostgreSQL benchmarks. Every side (a bare loop, one or
 * more services) ingests the SAME pre-built, pre-signed deliveries. Within a round the sides take turns every
 * `CHUNK` deliveries (rotating who goes first), and each side's time is summed over its turns: disk flushes and
 * load spikes from other processes, which last longer than a turn, then hit all sides alike.
 */
import { deliveries } from './argyle-webhooks.mjs';

export const CHUNK = 20;

/**
 * `sides`: `{ name: { ingest(delivery), service: boolean } }`; a service side's `ingest` returns the
 * IngestResult, and the run throws unless it applied every delivery it was given (a benchmark of a path that
 * silently drops events would measure nothing). Each round lasts about `secondsPerRound` of wall time.
 * `arrival`: `'serial'` awaits each delivery before the next; `'burst'` hands a side all `CHUNK` deliveries of
 * its turn at once and waits for all of them, the way a server sees concurrent deliveries (a side whose
 * `ingest` is synchronous inside, like the bare loop, still does them one after another).
 * Returns `{ samples: { name: events/s per round }, delivered }`.
 */
export async function ingestionRounds({
  accounts,
  sides,
  rounds,
  secondsPerRound,
  log,
  label,
  arrival = 'serial',
}) {
  const names = Object.keys(sides);
  const applied = Object.fromEntries(names.map((name) => [name, 0]));
  let next = 0;
  let delivered = 0;
  const ingestChunk = async (name, chunk) => {
    const { ingest, service } = sides[name];
    const startedAt = performance.now();
    const results = [];
    if (arrival === 'burst') results.push(...(await Promise.all(chunk.map((delivery) => ingest(delivery)))));
    else for (const delivery of chunk) results.push(await ingest(delivery));
    const elapsed = performance.now() - startedAt;
    if (service) for (const result of results) applied[name] += result.applied;
    return elapsed;
  };
  const round = async (seconds) => {
    const busyMs = Object.fromEntries(names.map((name) => [name, 0]));
    const deadline = performance.now() + seconds * 1000;
    let count = 0;
    for (let turn = 0; performance.now() < deadline; turn += 1) {
      // Built outside the timed turns; every side gets these same deliveries.
      const chunk = deliveries(accounts, next, CHUNK);
      next += CHUNK;
      for (let i = 0; i < names.length; i += 1) {
        const name = names[(turn + i) % names.length];
        busyMs[name] += await ingestChunk(name, chunk);
      }
      count += CHUNK;
    }
    return {
      count,
      perSecond: Object.fromEntries(names.map((name) => [name, count / (busyMs[name] / 1000)])),
    };
  };

  // Warm-up (JIT, statement caches, WAL files, pool connections), not counted.
  await round(secondsPerRound / 2);
  for (const name of names) applied[name] = 0;

  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let index = 0; index < rounds; index += 1) {
    const { count, perSecond } = await round(secondsPerRound);
    delivered += count;
    for (const name of names) samples[name].push(perSecond[name]);
    log(
      `  ${label} round ${index + 1}/${rounds}: ${names.map((name) => `${name} ${Math.round(perSecond[name])}/s`).join(', ')}`,
    );
  }
  for (const name of names) {
    if (sides[name].service && applied[name] !== delivered) {
      throw new Error(`${label}: ${name} applied ${applied[name]} of ${delivered} deliveries`);
    }
  }
  return { samples, delivered };
}
