import { ManualClock, type Sweeper } from '@reconnect-kit/core';
import { createExampleKit, type ExampleKit } from '@reconnect-kit/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresConnectionStore } from './store.js';
import { dropSchema, randomSchemaName, testPool } from './testing/database.js';

const ACCOUNTS = Array.from({ length: 40 }, (_, i) => `acc_${String(i).padStart(2, '0')}`);
const MINUTE = 60_000;

/** Three app instances (own pool, own service) sweeping one schema. */
describe('fleet sweeping on PostgreSQL', () => {
  const schema = randomSchemaName();
  const pools = [testPool(4), testPool(4), testPool(4)] as const;
  const clock = new ManualClock();
  let kits: ExampleKit[] = [];

  beforeAll(async () => {
    await new PostgresConnectionStore({ pool: pools[0], schema }).migrate();
    kits = pools.map((pool) =>
      createExampleKit({ store: new PostgresConnectionStore({ pool, schema }), clock }),
    );
    for (const kit of kits) {
      for (const id of ACCOUNTS) kit.vendor.addAccount({ id, ownerId: 'owner_1', token: 'tok' });
    }
    for (const id of ACCOUNTS) {
      await kits[0]?.service.registerConnection({
        provider: 'example',
        hostUserId: 'user_1',
        upstreamId: id,
        upstreamParentId: 'owner_1',
        secrets: { token: 'tok' },
        state: 'degraded',
      });
      for (const kit of kits) kit.vendor.setStatus(id, 'outage');
    }
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await dropSchema(schema);
  });

  const checksPerAccount = () => {
    const counts = new Map<string, number>();
    for (const kit of kits) {
      for (const call of kit.vendor.calls) {
        if (call.method === 'fetchStatus') counts.set(call.accountId, (counts.get(call.accountId) ?? 0) + 1);
      }
    }
    return ACCOUNTS.map((id) => counts.get(id) ?? 0);
  };

  /** Advances the shared clock in steps, letting the database answer between them, until `done` or `maxMs`. */
  async function run(maxMs: number, stepMs: number, done: () => boolean = () => false) {
    for (let elapsed = 0; elapsed < maxMs && !done(); elapsed += stepMs) {
      await clock.advance(stepMs);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  const allChecked = (times: number) => () => checksPerAccount().every((n) => n >= times);

  it('checks each due connection exactly once per interval across three instances', async () => {
    const interval = 10 * MINUTE;
    const start = clock.now().getTime();
    const sweepers: Sweeper[] = kits.map((kit) =>
      kit.service.startSweeper({ intervalMs: interval, batchSize: 3, ratePerSecond: 100, pollMs: 1_000 }),
    );
    try {
      await run(5 * MINUTE, 200, allChecked(1));
      // Up to just before the interval ends, nobody checks any of them again.
      await run(start + interval - 10_000 - clock.now().getTime(), 5_000);
      expect(checksPerAccount()).toEqual(ACCOUNTS.map(() => 1));
      await run(5 * MINUTE, 200, allChecked(2));
      expect(checksPerAccount()).toEqual(ACCOUNTS.map(() => 2));
      // Every instance took part.
      expect(kits.filter((kit) => kit.vendor.calls.length > 0).length).toBeGreaterThanOrEqual(2);
    } finally {
      await Promise.all(sweepers.map((sweeper) => sweeper.stop()));
    }
  });
});
