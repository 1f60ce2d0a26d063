import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { type ArgyleHarness, connectThroughLink, elementText, startHarness } from '../argyle.test-helpers.js';

const harness: ArgyleHarness = await startHarness();
afterAll(() => harness.close());
beforeEach(() => harness.reset());

interface Seeded {
  user_id: string;
  account_id: string;
  user_token: string;
}

async function seed(): Promise<Seeded> {
  const seeded = await harness.scenario<Seeded>('argyle.seed_connected');
  await harness.takeWebhooks();
  return seeded;
}

async function paystubIds(accountId: string): Promise<string[]> {
  const { body } = await harness.api<{ results: { id: string }[] }>(
    'GET',
    `/v2/paystubs?account=${accountId}&limit=200`,
  );
  return body.results.map((paystub) => paystub.id);
}

describe('GET /v2/accounts/{id}', () => {
  test('serves the documented fields in the recorded key order', async () => {
    await harness.admin('POST', '/clock', { set: '2026-01-29T19:25:10.118Z' });
    const seeded = await seed();
    const { body } = await harness.api<Record<string, unknown>>('GET', `/v2/accounts/${seeded.account_id}`);
    expect(Object.keys(body)).toEqual([
      'id',
      'user',
      'employers',
      'item',
      'source',
      'created_at',
      'updated_at',
      'scanned_at',
      'connection',
      'direct_deposit_switch',
      'availability',
      'ongoing_refresh',
    ]);
    expect(body).toMatchObject({
      id: seeded.account_id,
      user: seeded.user_id,
      employers: ['Walmart'],
      item: 'item_000029932',
      source: 'argyle_sandbox',
      created_at: '2026-01-29T19:25:10.118Z',
      scanned_at: '2026-01-29T19:25:10.118Z',
      connection: {
        status: 'connected',
        error_code: null,
        error_message: null,
        updated_at: '2026-01-29T19:25:10.118Z',
      },
      direct_deposit_switch: { status: 'idle', error_code: null, error_message: null },
      ongoing_refresh: { status: 'enabled' },
    });
    const availability = body.availability as Record<string, unknown>;
    expect(Object.keys(availability)).toContain('user_uploads');
    // Bob (test_1) is paid weekly; the first sync reaches two years back.
    expect(availability.paystubs).toMatchObject({ status: 'synced', available_count: 104 });
  });

  test('filters by ongoing_refresh_status', async () => {
    const seeded = await seed();
    const enabled = await harness.api<{ results: { id: string }[] }>(
      'GET',
      '/v2/accounts?ongoing_refresh_status=enabled',
    );
    expect(enabled.body.results.map((account) => account.id)).toEqual([seeded.account_id]);
    const idle = await harness.api<{ results: unknown[] }>('GET', '/v2/accounts?ongoing_refresh_status=idle');
    expect(idle.body.results).toEqual([]);
  });
});

describe('DELETE /v2/accounts/{id}', () => {
  test('answers 204, sends accounts.removed without resource, and the data is gone', async () => {
    const seeded = await seed();
    expect((await paystubIds(seeded.account_id)).length).toBeGreaterThan(0);
    const deleted = await harness.api('DELETE', `/v2/accounts/${seeded.account_id}`);
    expect(deleted.status).toBe(204);
    const webhooks = await harness.takeWebhooks('/default');
    expect(webhooks.map((webhook) => webhook.json)).toEqual([
      {
        event: 'accounts.removed',
        name: 'reconnect-mock',
        data: { account: seeded.account_id, user: seeded.user_id },
      },
    ]);
    expect((await harness.api('GET', `/v2/accounts/${seeded.account_id}`)).status).toBe(404);
    expect(await paystubIds(seeded.account_id)).toEqual([]);
    expect((await harness.api('DELETE', `/v2/accounts/${seeded.account_id}`)).status).toBe(404);
    const again = await connectThroughLink(harness, seeded.user_token);
    const newId = elementText(again.html, 'account-id');
    expect(newId).toBeDefined();
    expect(newId).not.toBe(seeded.account_id);
  });
});

describe('POST /v2/accounts/{id}/periodic-scan', () => {
  test('adds 1–5 paystubs to a connected account and fires paystubs.added each plus accounts.updated', async () => {
    const seeded = await seed();
    const before = await paystubIds(seeded.account_id);
    for (let scan = 0; scan < 3; scan++) {
      const result = await harness.api('POST', `/v2/accounts/${seeded.account_id}/periodic-scan`, {});
      expect(result.status).toBe(200);
      expect(result.body).toEqual({});
    }
    const after = await paystubIds(seeded.account_id);
    const added = after.length - before.length;
    expect(added).toBeGreaterThanOrEqual(3);
    expect(added).toBeLessThanOrEqual(15);
    const webhooks = await harness.takeWebhooks('/default');
    const paystubEvents = webhooks.filter((webhook) => webhook.json.event === 'paystubs.added');
    // Lists are newest first: the added paystubs lead the list, the latest scan's last.
    expect(paystubEvents.map((webhook) => webhook.json.data.paystub).reverse()).toEqual(
      after.slice(0, added),
    );
    expect(after.slice(added)).toEqual(before);
    expect(webhooks.filter((webhook) => webhook.json.event === 'accounts.updated')).toHaveLength(3);
    const account = await harness.api<{ availability: { paystubs: { available_count: number } } }>(
      'GET',
      `/v2/accounts/${seeded.account_id}`,
    );
    expect(account.body.availability.paystubs.available_count).toBe(after.length);
  });

  test('while the account is in error its data stays readable but a scan adds nothing and sends nothing', async () => {
    const seeded = await seed();
    await harness.scenario('argyle.auth_required', { target: seeded.account_id });
    await harness.takeWebhooks();
    const before = await paystubIds(seeded.account_id);
    expect(before.length).toBeGreaterThan(0);
    const result = await harness.api('POST', `/v2/accounts/${seeded.account_id}/periodic-scan`);
    expect(result.body).toEqual({});
    expect(await paystubIds(seeded.account_id)).toEqual(before);
    expect(await harness.takeWebhooks()).toEqual([]);
    const stub = await harness.api<{ id: string; account: string }>('GET', `/v2/paystubs/${before[0]}`);
    expect(stub.body).toMatchObject({ id: before[0], account: seeded.account_id });
  });

  test('an unknown account is a 404', async () => {
    const result = await harness.api(
      'POST',
      '/v2/accounts/019c0b39-0b68-7b0c-8c2e-9d1a7f3b5e02/periodic-scan',
    );
    expect(result.status).toBe(404);
  });
});
