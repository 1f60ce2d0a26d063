import { createHmac } from 'node:crypto';
import { afterAll, beforeEach, expect, test } from 'vitest';
import { type ArgyleHarness, startHarness } from '../argyle.test-helpers.js';

const harness: ArgyleHarness = await startHarness();
afterAll(() => harness.close());
beforeEach(() => harness.reset());

type Row = { id: string; updated_at: string; metadata: Record<string, unknown> | null; status?: string };

async function list(path: string, accountId: string): Promise<Row[]> {
  const { body } = await harness.api<{ results: Row[] }>('GET', `/v2/${path}?account=${accountId}&limit=200`);
  return body.results;
}

async function subscribe(events: string[]) {
  await harness.api('POST', '/v2/webhooks', {
    name: 'data-changes',
    url: `${harness.receiverUrl}/changes`,
    secret: 'changes-secret',
    events,
    config: { include_resource: true },
  });
}

test('a re-scan restates the newest paystub: paystubs.updated (signed, with the corrected resource) and the new version served', async () => {
  await subscribe(['paystubs.updated']);
  await harness.admin('POST', '/clock', { set: '2026-03-02T12:00:00.000Z' });
  const seeded = await harness.scenario<{ account_id: string }>('argyle.seed_connected');
  const [newest] = await list('paystubs', seeded.account_id);
  await harness.takeWebhooks();
  await harness.admin('POST', '/clock', { set: '2026-03-02T12:05:00.000Z' });
  await harness.api('POST', `/v2/accounts/${seeded.account_id}/periodic-scan`);
  const received = await harness.takeWebhooks('/changes');
  expect(received.map((webhook) => webhook.json.event)).toEqual(['paystubs.updated']);
  const [webhook] = received;
  expect(webhook!.json.data).toMatchObject({ account: seeded.account_id, paystub: newest!.id });
  const expected = createHmac('sha512', 'changes-secret').update(webhook!.raw).digest('hex');
  expect(webhook!.headers['x-argyle-signature']).toBe(expected);
  const served = (await harness.api<Row>('GET', `/v2/paystubs/${newest!.id}`)).body;
  expect(served.updated_at).toBe('2026-03-02T12:05:00.000Z');
  expect(served.metadata).toEqual({ restated_at: '2026-03-02T12:05:00.000Z' });
  expect(webhook!.json.data.resource).toEqual(served);
  // Only the restated record changed; the list keeps its place for it.
  const after = await list('paystubs', seeded.account_id);
  expect(after.map((row) => row.id)).toContain(newest!.id);
  expect(after.filter((row) => row.metadata && 'restated_at' in row.metadata)).toHaveLength(1);
});

test('a gig platform drops its newest cancelled gig on a re-scan: gigs.removed, then 404', async () => {
  await subscribe(['gigs.removed', 'gigs.added']);
  const gig = await harness.scenario<{ account_id: string }>('argyle.seed_connected', {
    username: 'test_1',
    item: 'item_000000427',
  });
  const cancelled = (await list('gigs', gig.account_id)).filter((row) => row.status === 'cancelled');
  expect(cancelled.length).toBeGreaterThan(0);
  const count = async () =>
    (
      await harness.api<{ availability: { gigs: { available_count: number } } }>(
        'GET',
        `/v2/accounts/${gig.account_id}`,
      )
    ).body.availability.gigs.available_count;
  const before = await count();
  await harness.takeWebhooks();
  await harness.api('POST', `/v2/accounts/${gig.account_id}/periodic-scan`);
  const received = await harness.takeWebhooks('/changes');
  const added = received.filter((webhook) => webhook.json.event === 'gigs.added').length;
  expect(await count()).toBe(before - 1 + added);
  expect(
    received.filter((webhook) => webhook.json.event === 'gigs.removed').map((webhook) => webhook.json.data),
  ).toEqual([{ account: gig.account_id, user: expect.any(String), gig: cancelled[0]!.id }]);
  expect((await harness.api('GET', `/v2/gigs/${cancelled[0]!.id}`)).status).toBe(404);
});

test('no corrections while the account is in error, and none when an account is deleted (Argyle sends accounts.removed alone)', async () => {
  await subscribe(['paystubs.updated', 'paystubs.removed', 'gigs.removed', 'accounts.removed']);
  const seeded = await harness.scenario<{ account_id: string }>('argyle.seed_connected');
  await harness.scenario('argyle.auth_required', { target: seeded.account_id });
  await harness.takeWebhooks();
  await harness.api('POST', `/v2/accounts/${seeded.account_id}/periodic-scan`);
  expect(await harness.takeWebhooks('/changes')).toEqual([]);
  await harness.api('DELETE', `/v2/accounts/${seeded.account_id}`);
  expect((await harness.takeWebhooks('/changes')).map((webhook) => webhook.json.event)).toEqual([
    'accounts.removed',
  ]);
});
