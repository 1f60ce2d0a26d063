import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { SqliteConnectionStore } from '@reconnect-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../scratch-dir.js';
import { createHost, listen } from './support/host.js';
import { sqliteReader, storeInvariantViolations } from './support/inspect.js';
import { SCALE, SEED, scaled } from './support/scale.js';
import { sendQueues } from './support/send.js';
import { buildStorm, referenceOf } from './support/storm.js';
import { answerMismatches, registerStormAccounts, stormOutcomeProblems } from './support/storm-checks.js';

// 5,000 deliveries in `pnpm test`; the `scale` vitest project (`pnpm test:reliability`, CI) sets the acceptance size,
// 100,000. `RELIABILITY_SCALE` multiplies either.
const STORM_SIZE = Number(process.env.RELIABILITY_STORM_DELIVERIES ?? 5_000);
if (!Number.isInteger(STORM_SIZE) || STORM_SIZE < 1)
  throw new Error(`RELIABILITY_STORM_DELIVERIES must be a positive integer, got "${STORM_SIZE}".`);
const DELIVERIES = scaled(STORM_SIZE);
const ACCOUNTS = Math.max(8, Math.round(DELIVERIES / 200));
const SENDERS = 8;

describe('webhook storm through the express endpoint (Argyle adapter, node:sqlite)', () => {
  const dir = mkdtempSync(path.join(scratchDir(), 'rk-storm-'));
  const file = path.join(dir, 'storm.db');
  const store = new SqliteConnectionStore(file);
  const host = createHost({ store });
  let server: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    server = await listen(host.app);
  });
  afterAll(async () => {
    await server?.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    `${DELIVERIES} deliveries (10% duplicates, 5% reordered, 1% bad signatures, 1% malformed): each valid event applied once, final states as the ordered stream says (seed ${SEED})`,
    async () => {
      const storm = buildStorm({ deliveries: DELIVERIES, accounts: ACCOUNTS, senders: SENDERS, seed: SEED });
      const reference = referenceOf(storm);
      await registerStormAccounts(host.service, storm);

      const started = performance.now();
      const answers = await sendQueues(`${server.url}/webhooks/argyle`, storm.queues);
      const seconds = (performance.now() - started) / 1000;
      console.info(
        `storm: ${storm.total} deliveries in ${seconds.toFixed(1)} s (${Math.round(storm.total / seconds)}/s), seed ${SEED}`,
      );

      expect(answerMismatches(answers, reference.expectations), `seed ${SEED}`).toEqual([]);
      const reader = sqliteReader(file);
      try {
        expect(await stormOutcomeProblems(reader, storm, reference), `seed ${SEED}`).toEqual([]);
        expect(await storeInvariantViolations(reader)).toEqual([]);
      } finally {
        await reader.close();
      }
      // The mix is what the brief asks for (so a passing run really exercised every kind).
      const kinds = storm.queues.flat().reduce<Record<string, number>>((count, d) => {
        count[d.kind] = (count[d.kind] ?? 0) + 1;
        return count;
      }, {});
      expect(kinds.duplicate).toBeGreaterThan(storm.total * 0.07);
      expect(kinds.bad_signature).toBeGreaterThan(storm.total * 0.005);
      expect(kinds.malformed).toBeGreaterThan(storm.total * 0.005);
      expect(reference.staleEventIds.size).toBeGreaterThan(storm.total * 0.03);
    },
    120_000 * Math.max(1, SCALE),
  );
});
