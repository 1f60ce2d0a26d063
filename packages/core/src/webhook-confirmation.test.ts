import { afterEach, describe, expect, it } from 'vitest';
import { registerExampleAccount } from './kit.test-helpers.js';
import type { Logger } from './ports.js';
import type { ExampleKitOptions, ExampleWebhookEvent } from './testing/index.js';
import { createExampleKit, type ExampleKit } from './testing/index.js';

const STORES: readonly NonNullable<ExampleKitOptions['store']>[] = [
  { kind: 'memory' },
  { kind: 'sqlite', path: ':memory:' },
];

/** Captures warnings verbatim. */
class CapturingLogger implements Logger {
  readonly warnings: { message: string; fields: unknown }[] = [];
  debug(): void {}
  info(): void {}
  warn(message: string, fields?: Record<string, unknown>): void {
    this.warnings.push({ message, fields });
  }
  error(): void {}
}

describe.each(STORES)('webhook confirmation on the $kind store', (store) => {
  let kit: ExampleKit;
  afterEach(async () => {
    await kit?.service.settle();
    await kit?.store.close();
  });

  async function connected(k: ExampleKit, id: string) {
    return registerExampleAccount(k, { account: id, token: `tok_${id}` });
  }

  const hint = (
    k: ExampleKit,
    id: string,
    account: string,
    status: ExampleWebhookEvent['status'],
  ): ExampleWebhookEvent => ({
    id,
    type: 'account.status',
    account_id: account,
    status,
    occurred_at: k.clock.now().toISOString(),
    hint: true,
  });

  const statusReads = (k: ExampleKit) =>
    k.vendor.calls.filter((c) => c.method === 'fetchStatus').map((c) => c.accountId);

  it('a stale hint is applied, then corrected by the status read that runs after the commit', async () => {
    kit = createExampleKit({ store });
    const connection = await connected(kit, 'acc_1');
    // The vendor is healthy; a late delivery of an older status says otherwise.
    const result = await kit.ingest([hint(kit, 'evt_old', 'acc_1', 'login_required')]);
    expect(result).toMatchObject({ applied: 1, duplicates: 0, ignored: 0 });
    expect(result.events.map((e) => e.type)).toEqual(['connection.broken', 'connection.state_changed']);
    await kit.service.settle();
    expect(statusReads(kit)).toEqual(['acc_1']);
    expect(await kit.service.getConnection(connection.id)).toMatchObject({
      state: 'connected',
      vendor: { status: 'active' },
    });
    const types = (await kit.store.listOutbox({})).map((e) => e.event.type);
    expect(types.slice(-2)).toEqual(['connection.recovered', 'connection.state_changed']);
  });

  it('reads each connection once per delivery, and not again for a redelivery', async () => {
    kit = createExampleKit({ store });
    await connected(kit, 'acc_1');
    await connected(kit, 'acc_2');
    const events = [
      hint(kit, 'evt_1', 'acc_1', 'login_required'),
      hint(kit, 'evt_2', 'acc_1', 'active'),
      hint(kit, 'evt_3', 'acc_2', 'outage'),
      hint(kit, 'evt_4', 'acc_1', 'login_required'),
      hint(kit, 'evt_5', 'acc_unknown', 'active'),
    ];
    await kit.ingest(events);
    await kit.service.settle();
    expect(statusReads(kit).sort()).toEqual(['acc_1', 'acc_2']);
    const again = await kit.ingest(events);
    await kit.service.settle();
    expect(again).toMatchObject({ applied: 0, duplicates: 5 });
    expect(statusReads(kit).sort()).toEqual(['acc_1', 'acc_2']);
  });

  it('confirms hint events that carry no state (journaled as today)', async () => {
    kit = createExampleKit({ store });
    const connection = await connected(kit, 'acc_1');
    kit.vendor.setStatus('acc_1', 'password_expired');
    const result = await kit.ingest([{ ...hint(kit, 'evt_1', 'acc_1', undefined), type: 'account.touched' }]);
    expect(result).toMatchObject({ applied: 0, ignored: 1 });
    expect(await kit.store.listIgnoredSignals({})).toMatchObject([
      { eventId: 'evt_1', reason: 'unknown_event' },
    ]);
    await kit.service.settle();
    expect((await kit.service.getConnection(connection.id)).state).toBe('needs_credentials');
  });

  it('does not read the status for events that are not hints, nor when confirmWebhooks is off', async () => {
    kit = createExampleKit({ store });
    await connected(kit, 'acc_1');
    await kit.ingest([{ ...hint(kit, 'evt_1', 'acc_1', 'login_required'), hint: false }]);
    await kit.service.settle();
    expect(statusReads(kit)).toEqual([]);
    await kit.store.close();

    kit = createExampleKit({ store, options: { confirmWebhooks: false } });
    const connection = await connected(kit, 'acc_1');
    await kit.ingest([hint(kit, 'evt_1', 'acc_1', 'login_required')]);
    await kit.service.settle();
    expect(statusReads(kit)).toEqual([]);
    expect((await kit.service.getConnection(connection.id)).state).toBe('needs_reauth');
  });

  it('a failing status read is logged without secrets and never fails the ingest', async () => {
    const logger = new CapturingLogger();
    kit = createExampleKit({ store, logger });
    const connection = await connected(kit, 'acc_1');
    kit.vendor.failNext('fetchStatus', new Error('vendor said: token tok_acc_1 is bad'));
    const result = await kit.ingest([hint(kit, 'evt_1', 'acc_1', 'login_required')]);
    expect(result).toMatchObject({ applied: 1 });
    await kit.service.settle();
    expect((await kit.service.getConnection(connection.id)).state).toBe('needs_reauth');
    expect(logger.warnings).toEqual([
      {
        message: 'status check confirming a webhook failed',
        fields: { connectionId: connection.id, error: { name: 'ReconnectKitError', code: 'upstream_error' } },
      },
    ]);
    expect(JSON.stringify(logger.warnings)).not.toContain('tok_acc_1');
  });
});
