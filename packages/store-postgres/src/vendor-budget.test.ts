import { busiestSecond } from '@reconnect-kit/core/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PostgresConnectionStore } from './store.js';
import { dropSchema, emptyTables, randomSchemaName, testPool } from './testing/database.js';
import { PostgresVendorBudget } from './vendor-budget.js';

/** Three instances (own pool, own budget object) sharing one schema's budget. */
describe('PostgresVendorBudget', () => {
  const schema = randomSchemaName();
  const pools = [testPool(4), testPool(4), testPool(4)] as const;
  const budgets = (rate: number) =>
    pools.map((pool) => new PostgresVendorBudget({ pool, schema, ratesPerSecond: { example: rate } }));

  beforeAll(async () => {
    await new PostgresConnectionStore({ pool: pools[0], schema }).migrate();
  });
  beforeEach(async () => {
    await emptyTables(pools[0], schema);
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await dropSchema(schema);
  });

  it('never lets the fleet start more than the rate in any second (3 instances x 15 callers at 20/s)', async () => {
    const started: number[] = [];
    await Promise.all(
      budgets(20).flatMap((budget) =>
        Array.from({ length: 15 }, async () => {
          await budget.take('example', 'interactive');
          started.push(performance.now());
        }),
      ),
    );
    expect(started).toHaveLength(45);
    expect(busiestSecond(started)).toBeLessThanOrEqual(20);
  });

  it('leaves providers without a rate alone', async () => {
    const [budget] = budgets(1);
    const started: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        await budget?.take('unlimited', 'interactive');
        started.push(performance.now());
      }),
    );
    expect(busiestSecond(started)).toBe(5);
  });

  it('pauses the provider for every instance when one of them is told to retry later', async () => {
    const [a, b] = budgets(100);
    await a?.pause('example', 600);
    const askedAt = performance.now();
    await b?.take('example', 'interactive');
    await b?.take('example', 'background');
    expect(performance.now() - askedAt).toBeGreaterThanOrEqual(550);
  });

  it('serves interactive calls ahead of background ones', async () => {
    const [a, b] = budgets(10);
    const order: string[] = [];
    const background = Array.from({ length: 8 }, async (_, i) => {
      await a?.take('example', 'background');
      order.push(`background ${i}`);
    });
    // Let the background callers book what their horizon allows first.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const interactive = Array.from({ length: 3 }, async (_, i) => {
      await b?.take('example', 'interactive');
      order.push(`interactive ${i}`);
    });
    await Promise.all([...background, ...interactive]);
    const lastInteractive = Math.max(...[0, 1, 2].map((i) => order.indexOf(`interactive ${i}`)));
    // Booked in arrival order, the 3 interactive calls would come last (positions 8-10); background callers only
    // book within the horizon (about one slot at 10/s), so the interactive ones overtake most of them.
    expect(lastInteractive).toBeLessThanOrEqual(7);
  });
});
