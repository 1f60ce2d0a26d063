import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import {
  type ArgyleHarness,
  FIRST_SYNC_EVENTS,
  type ReceivedWebhook,
  startHarness,
} from '../argyle.test-helpers.js';

const harness: ArgyleHarness = await startHarness();
afterAll(() => harness.close());
beforeEach(() => harness.reset());

interface Subscription {
  id: string;
  name: string;
  events: string[];
  config: Record<string, unknown>;
  secret: string | null;
  url: string;
  last_sent_at: string | null;
}

async function subscribe(path: string, body: Record<string, unknown>): Promise<Subscription> {
  const result = await harness.api<Subscription>('POST', '/v2/webhooks', {
    name: path.slice(1),
    url: `${harness.receiverUrl}${path}`,
    ...body,
  });
  expect(result.status).toBe(201);
  return result.body;
}

/** Verifies X-Argyle-Signature with node:crypto over the exact received bytes. */
function signatureValid(webhook: ReceivedWebhook, secret: string): boolean {
  const received = Buffer.from(String(webhook.headers['x-argyle-signature']), 'hex');
  const expected = createHmac('sha512', secret).update(webhook.raw).digest();
  return received.length === expected.length && timingSafeEqual(received, expected);
}

describe('webhook subscriptions', () => {
  test('create, list, get and delete; the secret is returned in clear text as Argyle does', async () => {
    const created = await subscribe('/a', {
      events: ['accounts.updated'],
      secret: 'whsec-a',
      config: { include_resource: true },
    });
    expect(created).toMatchObject({
      name: 'a',
      events: ['accounts.updated'],
      config: { include_resource: true },
      secret: 'whsec-a',
      last_sent_at: null,
    });
    const plain = await subscribe('/b', { events: ['*'] });
    expect(plain).toMatchObject({ config: {}, secret: null });
    const list = await harness.api<{ results: Subscription[] }>('GET', '/v2/webhooks');
    expect(list.body.results.map((subscription) => subscription.id)).toEqual([created.id, plain.id]);
    expect((await harness.api('GET', `/v2/webhooks/${created.id}`)).body).toEqual(created);
    expect((await harness.api('DELETE', `/v2/webhooks/${created.id}`)).status).toBe(204);
    expect((await harness.api('GET', `/v2/webhooks/${created.id}`)).status).toBe(404);
  });

  test('bad subscriptions are 400s naming each field, and nothing is created', async () => {
    const result = await harness.api('POST', '/v2/webhooks', {
      events: ['accounts.updated', 'Not An Event'],
      url: 'ftp://example.com',
      config: { include_resource: 'yes' },
    });
    expect(result.status).toBe(400);
    expect(result.body).toEqual({
      events: ['"Not An Event" is not a valid choice.'],
      name: ['This field is required.'],
      url: ['Enter a valid URL.'],
      config: ['include_resource must be a boolean.'],
    });
    const star = await harness.api('POST', '/v2/webhooks', {
      events: ['*'],
      name: 'x',
      url: 'https://example.com',
      config: { days_synced: 30 },
    });
    expect(star.status).toBe(400);
    expect((await harness.api<{ results: unknown[] }>('GET', '/v2/webhooks')).body.results).toEqual([]);
  });
});

describe('webhook deliveries', () => {
  test('pretty-printed envelope {event, name, data}, HMAC-SHA512 hex signature over the received bytes', async () => {
    await subscribe('/signed', { events: ['accounts.connected'], secret: 'whsec-signed' });
    const seeded = await harness.scenario<{ account_id: string; user_id: string }>('argyle.seed_connected');
    const [webhook] = await harness.takeWebhooks('/signed');
    expect(webhook).toBeDefined();
    const text = webhook!.raw.toString('utf8');
    expect(text).toBe(JSON.stringify(webhook!.json, null, 2));
    expect(Object.keys(webhook!.json)).toEqual(['event', 'name', 'data']);
    expect(webhook!.json).toEqual({
      event: 'accounts.connected',
      name: 'signed',
      data: { account: seeded.account_id, user: seeded.user_id },
    });
    expect(webhook!.headers['x-argyle-signature']).toMatch(/^[0-9a-f]{128}$/);
    expect(signatureValid(webhook!, 'whsec-signed')).toBe(true);
    expect(signatureValid(webhook!, 'another-secret')).toBe(false);
    expect(webhook!.headers['user-agent']).toBe('ReactorNetty/1.1.28');
    expect(Object.keys(webhook!.headers).filter((name) => /timestamp|event-id/i.test(name))).toEqual([]);
    const subscription = await harness.api<{ results: Subscription[] }>('GET', '/v2/webhooks');
    expect(subscription.body.results[0]!.last_sent_at).not.toBeNull();
  });

  test('resource only with include_resource on an explicit list; ignored for "*"; never on accounts.removed', async () => {
    await subscribe('/with', {
      events: ['accounts.connected', 'accounts.removed'],
      secret: 's1',
      config: { include_resource: true },
    });
    await subscribe('/without', { events: ['accounts.connected'], secret: 's2' });
    await subscribe('/star', { events: ['*'], secret: 's3', config: { include_resource: true } });
    const seeded = await harness.scenario<{ account_id: string }>('argyle.seed_connected');
    await harness.api('DELETE', `/v2/accounts/${seeded.account_id}`);
    const webhooks = await harness.takeWebhooks();
    const at = (path: string) => webhooks.filter((webhook) => webhook.path === path);

    const withResource = at('/with');
    expect(withResource.map((webhook) => webhook.json.event)).toEqual([
      'accounts.connected',
      'accounts.removed',
    ]);
    const resource = withResource[0]!.json.data.resource as Record<string, unknown>;
    expect(resource).toMatchObject({ id: seeded.account_id, connection: { status: 'connected' } });
    // As recorded: ongoing_refresh before availability, no user_uploads, microsecond timestamps.
    expect(Object.keys(resource).slice(-2)).toEqual(['ongoing_refresh', 'availability']);
    expect(Object.keys(resource.availability as object)).not.toContain('user_uploads');
    expect(resource.created_at).toMatch(/\.\d{6}Z$/);
    expect(withResource[1]!.json.data).not.toHaveProperty('resource');
    expect(withResource.every((webhook) => signatureValid(webhook, 's1'))).toBe(true);

    expect(at('/without').map((webhook) => Object.keys(webhook.json.data))).toEqual([['account', 'user']]);
    const star = at('/star');
    expect(star.map((webhook) => webhook.json.event)).toEqual([
      'accounts.added',
      'accounts.connected',
      'accounts.updated',
      ...FIRST_SYNC_EVENTS,
      'accounts.removed',
    ]);
    expect(star.every((webhook) => !('resource' in webhook.json.data))).toBe(true);
    expect(star.every((webhook) => signatureValid(webhook, 's3'))).toBe(true);
  });

  test('the default target (--webhook-url) gets every event WITH resource, signed with --webhook-secret', async () => {
    await harness.scenario('argyle.seed_connected');
    const webhooks = await harness.takeWebhooks('/default');
    expect(webhooks.map((webhook) => webhook.json.event)).toEqual([
      'accounts.added',
      'accounts.connected',
      'accounts.updated',
      ...FIRST_SYNC_EVENTS,
    ]);
    expect(webhooks.every((webhook) => webhook.json.name === 'reconnect-mock')).toBe(true);
    // Events with a resource (accounts.*, users.*) carry it; sync-progress events have none to carry.
    const withResource = webhooks.filter(
      (webhook) =>
        !/synced$|\.added$/.test(webhook.json.event) || webhook.json.event === 'users.fully_synced',
    );
    expect(withResource.every((webhook) => 'resource' in webhook.json.data)).toBe(true);
    expect(webhooks.every((webhook) => signatureValid(webhook, 'default-target-secret'))).toBe(true);
  });

  test('a subscription without a secret is signed with an empty key (documented choice)', async () => {
    await subscribe('/nosecret', { events: ['accounts.added'] });
    await harness.scenario('argyle.seed_connected');
    const [webhook] = await harness.takeWebhooks('/nosecret');
    expect(signatureValid(webhook!, '')).toBe(true);
  });
});
