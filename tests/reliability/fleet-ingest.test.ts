import { createPostgresStore } from '@reconnect-kit/store-postgres';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildProcess, startChild } from './support/child.js';
import { createHost } from './support/host.js';
import { inboundEventIds, postgresReader, storeInvariantViolations } from './support/inspect.js';
import {
  CHILD_HOST,
  type CompiledTree,
  compileHost,
  DATABASE_URL,
  randomSchemaName,
} from './support/processes.js';
import { SEED, scaled } from './support/scale.js';
import { type Answer, sendQueues } from './support/send.js';
import { buildStorm, referenceOf, type StormDelivery } from './support/storm.js';
import { registerStormAccounts, stormOutcomeProblems } from './support/storm-checks.js';

const INSTANCES = 3;
/** Instance 0 is killed once this share of its lanes' deliveries has been answered. */
const KILL_AFTER = 0.4;

let tree: CompiledTree;
beforeAll(() => {
  tree = compileHost();
});

describe('three host processes on one PostgreSQL schema, one killed -9 mid-storm', () => {
  const schema = randomSchemaName('rk_fleet_ingest');
  const pool = new Pool({ connectionString: DATABASE_URL, max: 2 });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  });

  it(`every acknowledged delivery is stored and applied; the survivors take the rest and the dead one's outbox (seed ${SEED})`, async () => {
    const storm = buildStorm({ deliveries: scaled(900), accounts: 24, senders: 9, seed: SEED });
    const reference = referenceOf(storm);
    const setup = await createPostgresStore({ connectionString: DATABASE_URL, schema, poolSize: 2 });
    await registerStormAccounts(createHost({ store: setup }).service, storm);
    await setup.close();

    const env = {
      RK_STORE: 'postgres',
      DATABASE_URL,
      RK_SCHEMA: schema,
      RK_DELIVERY_LOG: '/dev/null',
      // The dead instance's outbox claims come back within a second.
      RK_OUTBOX_LEASE_MS: '1000',
    };
    const hosts: ChildProcess[] = Array.from({ length: INSTANCES }, () => startChild(tree, CHILD_HOST, env));
    const reader = postgresReader(pool, schema);
    try {
      const urls = await Promise.all(hosts.map(async (host) => (await host.read<{ url: string }>()).url));
      // A load balancer: lane q goes to instance q mod 3.
      const lanes = urls.map((_, h) => storm.queues.filter((_q, q) => q % INSTANCES === h));
      const deadTotal = lanes[0]?.reduce((sum, queue) => sum + queue.length, 0) ?? 0;
      let deadAnswered = 0;
      let crashed: Promise<void> | undefined;
      const answers = await Promise.all(
        urls.map((url, h) =>
          sendQueues(`${url}/webhooks/argyle`, lanes[h] ?? [], (_q, _i, answer) => {
            if (answer.status === 0) return false;
            if (h === 0) {
              deadAnswered += 1;
              if (!crashed && deadAnswered >= deadTotal * KILL_AFTER) crashed = hosts[0]?.crash();
            }
            return true;
          }),
        ),
      );
      await crashed;
      const ok = (answer: Answer | undefined) => (answer?.status ?? 0) >= 200 && (answer?.status ?? 0) < 300;
      const acknowledged = lanes.flatMap((queues, h) =>
        queues.flatMap((queue, q) => queue.filter((_d, i) => ok(answers[h]?.[q]?.[i]))),
      );
      // What the dead instance never answered, from each of its lanes' first unanswered delivery on: the vendor
      // retries it, and the load balancer sends it to a survivor.
      const retries: StormDelivery[][] = (lanes[0] ?? []).map((queue, q) => {
        const lane = answers[0]?.[q] ?? [];
        const firstMissing = lane.findIndex((answer) => answer.status === 0);
        return queue.slice(firstMissing < 0 ? lane.length : firstMissing);
      });
      expect(retries.flat().length, 'the kill landed mid-storm').toBeGreaterThan(0);

      const inbound = await inboundEventIds(reader, 'argyle');
      const lost = acknowledged.filter((delivery) => !inbound.has(delivery.eventId ?? ''));
      expect(
        lost.map((d) => d.eventId),
        'acknowledged but not stored',
      ).toEqual([]);

      const retried = await sendQueues(`${urls[1]}/webhooks/argyle`, retries);
      expect(retried.flat().map((answer) => answer.status)).toEqual(
        retries.flat().map((d) => (d.kind === 'bad_signature' ? 401 : d.kind === 'malformed' ? 400 : 200)),
      );

      // A survivor delivers everything still pending, the dead instance's leased entries included once their
      // lease (1 s) has passed; the other survivor stops cleanly first.
      await hosts[2]?.stop();
      let pending = -1;
      for (let round = 0; round < 20 && pending !== 0; round += 1) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        hosts[1]?.send('drain');
        ({ pending } = (await hosts[1]?.read<{ pending: number }>()) ?? { pending: -1 });
      }
      expect(pending).toBe(0);
      expect(await stormOutcomeProblems(reader, storm, reference), `seed ${SEED}`).toEqual([]);
      expect(await storeInvariantViolations(reader)).toEqual([]);
    } finally {
      await reader.close();
      for (const host of hosts.slice(1)) await host.stop().catch(() => host.crash().catch(() => undefined));
    }
  });
});
