import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import type { Sweeper } from './fleet-sweep.js';
import { MemoryConnectionStore } from './store/memory.js';
import type { ConnectionStore } from './store/port.js';
import { SqliteConnectionStore } from './store/sqlite.js';
import type { ExampleKitOptions } from './testing/index.js';
import { createExampleKit, type ExampleKit } from './testing/index.js';

const STORES: readonly { kind: string; open: () => ConnectionStore }[] = [
  { kind: 'memory', open: () => new MemoryConnectionStore() },
  { kind: 'sqlite', open: () => new SqliteConnectionStore(':memory:') },
];

const ACCOUNTS = Array.from({ length: 12 }, (_, i) => `acc_${i}`);
const MINUTE = 60_000;

describe.each(STORES)('startSweeper on the $kind store', ({ open }) => {
  let sweepers: Sweeper[] = [];
  let kits: ExampleKit[] = [];
  afterEach(async () => {
    await Promise.all(sweepers.map((s) => s.stop()));
    sweepers = [];
    await kits[0]?.store.close();
  });

  /** `instances` app instances (services) on one store and one clock; every account is in an outage. */
  async function fleet(instances: number, options: Partial<ExampleKitOptions> = {}) {
    const store = open();
    const clock = new ManualClock();
    kits = Array.from({ length: instances }, () => createExampleKit({ store, clock, ...options }));
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
    return { clock };
  }

  /** Status checks per account, across every instance's vendor. */
  const checksPerAccount = () => {
    const counts = new Map<string, number>();
    for (const kit of kits) {
      for (const call of kit.vendor.calls) {
        if (call.method === 'fetchStatus') counts.set(call.accountId, (counts.get(call.accountId) ?? 0) + 1);
      }
    }
    return ACCOUNTS.map((id) => counts.get(id) ?? 0);
  };

  /** Moves the clock in steps, giving the event loop a turn after each (as real time would: the SQLite store starts a commit group there). */
  async function run(clock: ManualClock, ms: number, stepMs = 100) {
    for (let elapsed = 0; elapsed < ms; elapsed += stepMs) {
      await clock.advance(stepMs);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  it('three instances check each due connection exactly once per interval', async () => {
    const { clock } = await fleet(3);
    sweepers = kits.map((kit) =>
      kit.service.startSweeper({ intervalMs: MINUTE, batchSize: 2, ratePerSecond: 50, pollMs: 1_000 }),
    );
    await run(clock, MINUTE - 2_000);
    expect(checksPerAccount()).toEqual(ACCOUNTS.map(() => 1));
    // The fleet shares the work (how it splits depends on who claims first).
    const perInstance = kits.map((kit) => kit.vendor.calls.filter((c) => c.method === 'fetchStatus').length);
    expect(perInstance.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    await run(clock, MINUTE);
    expect(checksPerAccount()).toEqual(ACCOUNTS.map(() => 2));
  });

  it('gives a dead instance’s claims to the others once their lease has passed; each checked once', async () => {
    const { clock } = await fleet(2);
    const [dead, alive] = kits as [ExampleKit, ExampleKit];
    // The dead instance claims a batch and never answers (a process that froze or was killed mid-sweep).
    dead.provider.fetchStatus = () => new Promise(() => {});
    // Not stopped afterwards: its calls never return.
    dead.service.startSweeper({ intervalMs: 10 * MINUTE, batchSize: 4, leaseMs: 5_000 });
    await run(clock, 200);
    sweepers.push(alive.service.startSweeper({ intervalMs: 10 * MINUTE, batchSize: 4, pollMs: 1_000 }));
    await run(clock, 30_000);
    const byAlive = alive.vendor.calls.filter((c) => c.method === 'fetchStatus').map((c) => c.accountId);
    expect(byAlive.sort()).toEqual([...ACCOUNTS].sort());
    expect(new Set(byAlive).size).toBe(ACCOUNTS.length);
  });

  it('stop() hands unchecked claims back at once', async () => {
    const { clock } = await fleet(2);
    const [first, second] = kits as [ExampleKit, ExampleKit];
    const slow = first.service.startSweeper({ intervalMs: 10 * MINUTE, batchSize: 12, ratePerSecond: 1 });
    await run(clock, 1_500);
    await slow.stop();
    const checkedByFirst = first.vendor.calls.filter((c) => c.method === 'fetchStatus').length;
    expect(checkedByFirst).toBeGreaterThan(0);
    expect(checkedByFirst).toBeLessThan(ACCOUNTS.length);
    sweepers.push(
      second.service.startSweeper({ intervalMs: 10 * MINUTE, batchSize: 12, ratePerSecond: 100 }),
    );
    await run(clock, 1_000);
    expect(checksPerAccount()).toEqual(ACCOUNTS.map(() => 1));
  });
});
