import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createMockInstance, type MockInstance } from '../instance.js';
import { type TestState, testProvider } from '../testing/test-provider.js';
import {
  type ReceiverBehaviour,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../testing/webhook-receiver.js';

const SECRET = 'whsec_c2VjcmV0LWZvci10ZXN0cw==';
const FAST = { max_attempts: 4, backoff_ms: 5, timeout_ms: 2_000 };

function expectedSignature(id: string, timestamp: string, bytes: Uint8Array, secret = SECRET): string {
  return `v1,${createHmac('sha256', secret).update(`${id}.${timestamp}.`).update(bytes).digest('base64')}`;
}

describe('webhook dispatcher', () => {
  let instance: MockInstance<TestState>;
  let receiver: WebhookReceiver;
  const open: { close(): unknown }[] = [];

  async function setUp(
    script: ReceiverBehaviour[] = [],
    random: () => number = () => 0,
    provider = testProvider,
  ) {
    receiver = await startWebhookReceiver({ script });
    instance = createMockInstance(provider, {
      catalogue: null,
      env: {},
      webhookUrl: receiver.url,
      webhookSecret: SECRET,
      random,
    });
    instance.webhooks.updateSettings({ retry_policy: FAST });
    open.push(receiver, instance);
  }

  const enqueue = (eventType: string, body: unknown) => instance.ctx.webhooks.enqueue({ eventType, body });
  const flush = () => instance.webhooks.flush(5_000);

  beforeEach(() => {
    open.length = 0;
  });
  afterEach(async () => {
    for (const resource of open) await resource.close();
  });

  test('signs at send time over the exact bytes sent, with a stable event id', async () => {
    await setUp();
    const queued = enqueue('account.updated', { account: 'acc_1', note: 'ünïcode ✓' });
    expect(queued).toEqual({ id: expect.any(String), eventType: 'account.updated', url: receiver.url });
    expect(await flush()).toEqual({ drained: true });
    const [receipt] = receiver.received;
    expect(receipt!.bytes.toString('utf8')).toBe(JSON.stringify({ account: 'acc_1', note: 'ünïcode ✓' }));
    expect(receipt!.headers['test-event-id']).toBe(queued.id);
    const timestamp = receipt!.headers['test-timestamp'] as string;
    expect(receipt!.headers['test-signature']).toBe(expectedSignature(queued.id, timestamp, receipt!.bytes));
    expect(Math.abs(Number(timestamp) * 1000 - Date.now())).toBeLessThan(5_000);
    const [record] = instance.webhooks.deliveries();
    expect(record).toMatchObject({
      event_id: queued.id,
      status: 'delivered',
      body: receipt!.bytes.toString('utf8'),
    });
    expect(record!.attempts).toEqual([
      expect.objectContaining({ attempt: 1, status: 200, error: null, duration_ms: expect.any(Number) }),
    ]);
  });

  test('the signature follows the mock clock', async () => {
    await setUp();
    instance.clock.set(new Date('2031-05-06T07:08:09Z'));
    enqueue('tick', {});
    await flush();
    expect(receiver.received[0]!.headers['test-timestamp']).toBe(
      String(Date.parse('2031-05-06T07:08:09Z') / 1000),
    );
  });

  test('retries non-2xx answers with backoff, same event id and bytes each time', async () => {
    await setUp([500, 503]);
    const queued = enqueue('account.updated', { n: 1 });
    await flush();
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((receipt) => receipt.headers['test-event-id']))).toEqual(
      new Set([queued.id]),
    );
    expect(new Set(receiver.received.map((receipt) => receipt.bytes.toString()))).toEqual(
      new Set(['{"n":1}']),
    );
    const [record] = instance.webhooks.deliveries();
    expect(record!.status).toBe('delivered');
    expect(record!.attempts.map((attempt) => [attempt.status, attempt.error])).toEqual([
      [500, 'receiver answered 500'],
      [503, 'receiver answered 503'],
      [200, null],
    ]);
  });

  test('waits exponentially longer between attempts', async () => {
    await setUp([500, 500, 500]);
    instance.webhooks.updateSettings({ retry_policy: { backoff_ms: 20 } });
    enqueue('slow', {});
    await flush();
    const times = instance.webhooks.deliveries()[0]!.attempts.map((attempt) => Date.parse(attempt.at));
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(20);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(40);
    expect(times[3]! - times[2]!).toBeGreaterThanOrEqual(80);
  });

  test('gives up after max_attempts and marks the delivery failed', async () => {
    await setUp([500, 500, 500, 500, 500]);
    enqueue('doomed', {});
    await flush();
    expect(receiver.received).toHaveLength(FAST.max_attempts);
    expect(instance.webhooks.deliveries()[0]).toMatchObject({ status: 'failed' });
  });

  test('timeouts and network errors are recorded and retried', async () => {
    await setUp(['hang']);
    instance.webhooks.updateSettings({ retry_policy: { timeout_ms: 100 } });
    enqueue('timeout', {});
    await flush();
    const attempts = instance.webhooks.deliveries()[0]!.attempts;
    expect(attempts.map((attempt) => attempt.error)).toEqual(['timed out after 100 ms', null]);

    instance.webhooks.updateSettings({
      url: 'http://127.0.0.1:1/unreachable',
      retry_policy: { max_attempts: 2 },
    });
    enqueue('network', {});
    await flush();
    const failed = instance.webhooks.deliveries()[1]!;
    expect(failed.status).toBe('failed');
    expect(failed.attempts).toHaveLength(2);
    expect(failed.attempts[0]!.status).toBeNull();
    expect(failed.attempts[0]!.error).toMatch(/fetch failed|ECONNREFUSED/);
  });

  test('duplicate sends the same id and the same bytes twice', async () => {
    await setUp();
    instance.webhooks.updateSettings({ duplicate: true });
    const queued = enqueue('dup', { a: 1 });
    await flush();
    expect(receiver.received).toHaveLength(2);
    const [first, second] = receiver.received;
    expect(second!.headers['test-event-id']).toBe(queued.id);
    expect(first!.headers['test-event-id']).toBe(queued.id);
    expect(Buffer.compare(first!.bytes, second!.bytes)).toBe(0);
    const [original, copy] = instance.webhooks.deliveries();
    expect(copy!.duplicate_of).toBe(original!.delivery_id);
  });

  test('reorder swaps a delivery with the next queued one', async () => {
    await setUp();
    const order = async () => {
      receiver.received.length = 0;
      await instance.handle(new Request('http://mock.test/__admin/scenarios/two_events', { method: 'POST' }));
      await flush();
      return receiver.received.map((receipt) => JSON.parse(receipt.bytes.toString()).n);
    };
    expect(await order()).toEqual([1, 2]);
    instance.webhooks.updateSettings({ reorder: true });
    expect(await order()).toEqual([2, 1]);
    expect(instance.webhooks.deliveries().map((record) => record.reordered)).toEqual([
      false,
      false,
      true,
      false,
    ]);
  });

  test('stale_timestamp signs (validly) with a timestamp 10 minutes before the mock clock', async () => {
    await setUp();
    instance.clock.set(new Date('2030-01-01T00:10:00Z'));
    instance.webhooks.updateSettings({ stale_timestamp: true });
    const queued = enqueue('stale', { s: 1 });
    await flush();
    const receipt = receiver.received[0]!;
    expect(receipt.headers['test-timestamp']).toBe(String(Date.parse('2030-01-01T00:00:00Z') / 1000));
    expect(receipt.headers['test-signature']).toBe(expectedSignature(queued.id, '1893456000', receipt.bytes));
    expect(instance.webhooks.deliveries()[0]).toMatchObject({ stale_timestamp: true });
  });

  test('a real_time scheme signs with the machine clock however far the mock clock moved', async () => {
    await setUp([], () => 0, {
      ...testProvider,
      webhooks: { ...testProvider.webhooks, timestamps: 'real_time' },
    });
    instance.clock.advance(30 * 86_400_000);
    const queued = enqueue('later', { l: 1 });
    await flush();
    const receipt = receiver.received[0]!;
    const timestamp = receipt.headers['test-timestamp'] as string;
    expect(Math.abs(Number(timestamp) * 1000 - Date.now())).toBeLessThan(5_000);
    expect(receipt.headers['test-signature']).toBe(expectedSignature(queued.id, timestamp, receipt.bytes));
  });

  test('the timestamps setting overrides the scheme: real_time for the SDK, back to mock_clock', async () => {
    await setUp();
    instance.clock.set(new Date('2030-01-01T00:00:00Z'));
    instance.webhooks.updateSettings({ timestamps: 'real_time' });
    enqueue('real', { r: 1 });
    await flush();
    expect(
      Math.abs(Number(receiver.received[0]!.headers['test-timestamp']) * 1000 - Date.now()),
    ).toBeLessThan(5_000);
    instance.webhooks.updateSettings({ timestamps: 'mock_clock' });
    enqueue('mock', { m: 1 });
    await flush();
    expect(receiver.received[1]!.headers['test-timestamp']).toBe(
      String(Date.parse('2030-01-01T00:00:00Z') / 1000),
    );
  });

  test('bad_signature signs with a wrong secret of the same shape', async () => {
    await setUp();
    instance.webhooks.updateSettings({ bad_signature: true });
    const queued = enqueue('bad', { b: 1 });
    await flush();
    const receipt = receiver.received[0]!;
    const timestamp = receipt.headers['test-timestamp'] as string;
    expect(receipt.headers['test-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(receipt.headers['test-signature']).not.toBe(
      expectedSignature(queued.id, timestamp, receipt.bytes),
    );
    expect(instance.webhooks.deliveries()[0]).toMatchObject({ bad_signature: true, status: 'delivered' });
  });

  test('switches given as probabilities fire when the random draw is below them', async () => {
    const draws = [0.2, 0.9];
    await setUp([], () => draws.shift() ?? 0.99);
    instance.webhooks.updateSettings({ stale_timestamp: 0.5, bad_signature: 0.5 });
    enqueue('maybe', {});
    expect(instance.webhooks.deliveries()[0]).toMatchObject({ stale_timestamp: true, bad_signature: false });
    await flush();
  });

  test('without a target the delivery is logged as no_target; reset clears the log', async () => {
    receiver = await startWebhookReceiver();
    instance = createMockInstance(testProvider, { catalogue: null, env: {} });
    open.push(receiver, instance);
    const queued = enqueue('lonely', {});
    expect(queued.url).toBeUndefined();
    expect(instance.webhooks.deliveries()).toEqual([
      expect.objectContaining({ status: 'no_target', url: null, attempts: [] }),
    ]);
    instance.reset();
    expect(instance.webhooks.deliveries()).toEqual([]);
  });

  test('an explicit target overrides the default one', async () => {
    await setUp();
    const other = await startWebhookReceiver();
    open.push(other);
    instance.ctx.webhooks.enqueue({
      eventType: 'x',
      body: {},
      target: { url: other.url, secret: 'other-secret' },
    });
    await flush();
    expect(receiver.received).toHaveLength(0);
    expect(other.received).toHaveLength(1);
  });

  test('reset while a delivery waits for its retry drops it; later deliveries still go out', async () => {
    await setUp([500]);
    instance.webhooks.updateSettings({ retry_policy: { backoff_ms: 60_000 } });
    enqueue('stuck', {});
    // Its first attempt reached the receiver (answered 500); now it waits a minute for its retry.
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(1);
    expect(await instance.webhooks.flush(50)).toEqual({ drained: false });
    instance.reset();
    instance.webhooks.updateSettings({ retry_policy: FAST });
    enqueue('fresh', { f: 1 });
    expect(await flush()).toEqual({ drained: true });
    expect(receiver.received.map((receipt) => receipt.bytes.toString())).toEqual(['{}', '{"f":1}']);
    expect(instance.webhooks.deliveries()).toEqual([
      expect.objectContaining({ event_type: 'fresh', status: 'delivered' }),
    ]);
  });

  test('a signer that throws is recorded as a failed attempt, not a crash', async () => {
    receiver = await startWebhookReceiver();
    const failing = {
      ...testProvider,
      webhooks: {
        ...testProvider.webhooks,
        sign: () => {
          throw new Error('no key');
        },
      },
    };
    instance = createMockInstance(failing, { catalogue: null, env: {}, webhookUrl: receiver.url });
    instance.webhooks.updateSettings({ retry_policy: { ...FAST, max_attempts: 1 } });
    open.push(receiver, instance);
    enqueue('unsigned', {});
    await flush();
    expect(instance.webhooks.deliveries()[0]).toMatchObject({
      status: 'failed',
      attempts: [{ error: 'no key' }],
    });
    expect(receiver.received).toHaveLength(0);
  });

  test('POST /__admin/webhooks/flush waits for the queue and returns the log', async () => {
    await setUp([500]);
    enqueue('flushed', {});
    const response = await instance.handle(
      new Request('http://mock.test/__admin/webhooks/flush', { method: 'POST' }),
    );
    const body = (await response.json()) as { drained: boolean; deliveries: { status: string }[] };
    expect(body.drained).toBe(true);
    expect(body.deliveries).toEqual([expect.objectContaining({ status: 'delivered' })]);
  });

  test('?limit=N answers with the N most recent deliveries of the log (flush, GET and PUT); a bad limit is a 400', async () => {
    await setUp();
    for (const n of [1, 2, 3]) enqueue(`event.${n}`, { n });
    const admin = async (method: string, path: string, body?: unknown) => {
      const response = await instance.handle(
        new Request(`http://mock.test/__admin${path}`, {
          method,
          ...(body !== undefined && { body: JSON.stringify(body) }),
        }),
      );
      return {
        status: response.status,
        body: (await response.json()) as { deliveries?: { event_type: string }[] },
      };
    };
    const types = (answer: { body: { deliveries?: { event_type: string }[] } }) =>
      answer.body.deliveries?.map((delivery) => delivery.event_type);
    expect(types(await admin('POST', '/webhooks/flush?limit=2'))).toEqual(['event.2', 'event.3']);
    expect(types(await admin('POST', '/webhooks/flush'))).toEqual(['event.1', 'event.2', 'event.3']);
    expect(types(await admin('GET', '/webhooks?limit=1'))).toEqual(['event.3']);
    expect(types(await admin('GET', '/webhooks?limit=10'))).toEqual(['event.1', 'event.2', 'event.3']);
    expect(types(await admin('PUT', '/webhooks?limit=0', { duplicate: false }))).toEqual([]);
    for (const bad of ['limit=-1', 'limit=x', 'limits=1']) {
      expect((await admin('GET', `/webhooks?${bad}`)).status, bad).toBe(400);
      expect((await admin('POST', `/webhooks/flush?${bad}`)).status, bad).toBe(400);
    }
    // A refused PUT changes nothing.
    expect((await admin('PUT', '/webhooks?limit=-1', { duplicate: true })).status).toBe(400);
    expect(instance.webhooks.settings.duplicate).toBe(false);
  });
});
