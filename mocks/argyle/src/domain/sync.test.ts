import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { type ArgyleHarness, startHarness } from '../argyle.test-helpers.js';

const harness: ArgyleHarness = await startHarness();
afterAll(() => harness.close());
beforeEach(() => harness.reset());

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

interface Seeded {
  user_id: string;
  account_id: string;
}

async function paystubCount(accountId: string): Promise<number> {
  const account = await harness.api<{ availability: { paystubs: { available_count: number } } }>(
    'GET',
    `/v2/accounts/${accountId}`,
  );
  return account.body.availability.paystubs.available_count;
}

describe('the sync lifecycle on the mock clock', () => {
  test('*.partially_synced reports each subscription’s own days_synced window', async () => {
    await harness.admin('POST', '/clock', { set: '2026-01-29T19:25:10.118Z' });
    for (const days of [14, 90]) {
      await harness.api('POST', '/v2/webhooks', {
        name: `days-${days}`,
        url: `${harness.receiverUrl}/days-${days}`,
        events: ['paystubs.partially_synced'],
        config: { days_synced: days },
      });
    }
    await harness.scenario('argyle.seed_connected', { username: 'test_1' });
    const received = await harness.takeWebhooks();
    const [two] = received.filter((webhook) => webhook.path === '/days-14');
    const [ninety] = received.filter((webhook) => webhook.path === '/days-90');
    // Bob is paid every Friday: 2 paystubs in the last 14 days, 12 in the last 90.
    expect(two!.json.data).toMatchObject({
      days_synced: 14,
      available_count: 2,
      available_to: '2026-01-23T00:00:00Z',
    });
    expect(ninety!.json.data).toMatchObject({ days_synced: 90, available_count: 12 });
  });

  test('users.fully_synced carries the user as recorded (microsecond created_at)', async () => {
    await harness.api('POST', '/v2/webhooks', {
      name: 'users',
      url: `${harness.receiverUrl}/users`,
      events: ['users.fully_synced'],
      config: { include_resource: true },
    });
    const seeded = await harness.scenario<Seeded>('argyle.seed_connected');
    const [webhook] = (await harness.takeWebhooks()).filter((received) => received.path === '/users');
    expect(webhook!.json.data).toEqual({
      user: seeded.user_id,
      resource: expect.objectContaining({
        id: seeded.user_id,
        accounts_connected: [seeded.account_id],
        items_connected: ['item_000029932'],
        employers_connected: ['Walmart'],
        created_at: expect.stringMatching(/\.\d{6}Z$/),
      }),
    });
  });

  test('ongoing refresh adds one paystub per pay date the clock passes; disable-ongoing-refresh stops it', async () => {
    const seeded = await harness.scenario<Seeded>('argyle.seed_connected', { username: 'test_1' });
    await harness.takeWebhooks();
    const before = await paystubCount(seeded.account_id);
    await harness.admin('POST', '/clock', { advance_ms: 2 * WEEK_MS });
    const added = await harness.takeWebhooks('/default');
    expect(added.map((webhook) => webhook.json.event)).toEqual([
      'paystubs.added',
      'paystubs.added',
      'payroll_documents.added',
      'payroll_documents.added',
      'accounts.updated',
    ]);
    expect(await paystubCount(seeded.account_id)).toBe(before + 2);

    const disabled = await harness.api<{
      ongoing_refresh: { status: string };
      connection: Record<string, unknown>;
    }>('POST', `/v2/accounts/${seeded.account_id}/disable-ongoing-refresh`);
    expect(disabled.body).toMatchObject({
      ongoing_refresh: { status: 'disabled' },
      connection: { status: 'error', error_code: 'ongoing_refresh_disabled' },
    });
    expect((await harness.takeWebhooks('/default')).map((webhook) => webhook.json.event)).toEqual([
      'accounts.updated',
    ]);
    await harness.admin('POST', '/clock', { advance_ms: 4 * WEEK_MS });
    expect(await harness.takeWebhooks('/default')).toEqual([]);
    expect(await paystubCount(seeded.account_id)).toBe(before + 2);
    const filtered = await harness.api<{ results: { id: string }[] }>(
      'GET',
      '/v2/accounts?ongoing_refresh_status=disabled',
    );
    expect(filtered.body.results.map((account) => account.id)).toEqual([seeded.account_id]);
  });

  test('gig accounts refresh gigs and shifts with their weekly payout', async () => {
    const seeded = await harness.scenario<Seeded>('argyle.seed_connected', {
      username: 'test_1',
      item: 'item_000000427',
    });
    await harness.takeWebhooks();
    await harness.admin('POST', '/clock', { advance_ms: WEEK_MS });
    const events = new Set((await harness.takeWebhooks('/default')).map((webhook) => webhook.json.event));
    expect(events).toEqual(new Set(['gigs.added', 'shifts.added', 'paystubs.added', 'accounts.updated']));
    const gigs = await harness.api<{ results: { account: string }[] }>(
      'GET',
      `/v2/gigs?account=${seeded.account_id}`,
    );
    expect(gigs.body.results.length).toBeGreaterThan(0);
  });
});
