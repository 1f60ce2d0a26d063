import 'reflect-metadata';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createExampleKit, type ExampleAccountStatus } from './testing/index.js';
import { TERMINAL_STATES } from './types.js';

const STATUSES: ExampleAccountStatus[] = [
  'active',
  'linking',
  'login_required',
  'password_expired',
  'outage',
  'removed',
];

/** Vendor events (status, time offset) delivered in any order, some more than once. */
const deliveriesArbitrary = fc
  .array(fc.record({ status: fc.constantFrom(...STATUSES), offsetMs: fc.integer({ min: 0, max: 10_000 }) }), {
    minLength: 1,
    maxLength: 10,
  })
  .chain((events) =>
    fc
      .array(fc.nat({ max: events.length - 1 }), { minLength: events.length, maxLength: events.length * 2 })
      .map((order) => ({ events, order: [...events.keys(), ...order] }))
      .chain(({ events, order }) =>
        fc.shuffledSubarray(order, { minLength: order.length }).map((o) => ({ events, order: o })),
      ),
  );

describe('ReconnectionService under shuffled, duplicated webhooks (property)', () => {
  it('keeps events unique, the from/to chain consistent, dedupe exact and terminal states sticky', async () => {
    await fc.assert(
      fc.asyncProperty(deliveriesArbitrary, async ({ events, order }) => {
        const kit = createExampleKit();
        kit.vendor.addAccount({ id: 'acc_1', ownerId: 'o', token: 't' });
        const connection = await kit.service.registerConnection({
          provider: 'example',
          hostUserId: 'u',
          upstreamId: 'acc_1',
        });
        const start = kit.clock.now().getTime();
        let terminal: string | undefined;
        let applied = 0;
        let duplicates = 0;
        for (const index of order) {
          const event = events[index] as (typeof events)[number];
          const result = await kit.ingest([
            {
              id: `evt_${index}`,
              type: 'account.status',
              account_id: 'acc_1',
              status: event.status,
              occurred_at: new Date(start + event.offsetMs).toISOString(),
            },
          ]);
          applied += result.applied + result.ignored;
          duplicates += result.duplicates;
          const state = (await kit.service.getConnection(connection.id)).state;
          if (terminal) expect(state).toBe(terminal);
          if (TERMINAL_STATES.includes(state)) terminal = state;
        }
        expect(applied).toBe(events.length);
        expect(duplicates).toBe(order.length - events.length);

        const outbox = (await kit.store.listOutbox({ limit: 500 })).map((entry) => entry.event);
        expect(new Set(outbox.map((e) => e.id)).size).toBe(outbox.length);
        const chain = outbox.filter((e) => e.type === 'connection.state_changed');
        for (let i = 1; i < chain.length; i += 1) expect(chain[i]?.from).toBe(chain[i - 1]?.to);
        expect(chain.at(-1)?.to).toBe((await kit.service.getConnection(connection.id)).state);
        await kit.store.close();
      }),
      { numRuns: 40, seed: 20260101 },
    );
  });
});
