import { afterEach, describe, expect, it } from 'vitest';
import { registerExampleAccount } from './kit.test-helpers.js';
import type { Notifier } from './ports.js';
import { createExampleKit, type ExampleKit, type ExampleKitOptions } from './testing/index.js';
import type { ConnectionEvent, UserNotification } from './types.js';

const STORES: readonly NonNullable<ExampleKitOptions['store']>[] = [
  { kind: 'memory' },
  { kind: 'sqlite', path: ':memory:' },
];

const DAY = 24 * 60 * 60 * 1000;

class RecordingNotifier implements Notifier {
  readonly received: UserNotification[] = [];
  async notify(notification: UserNotification): Promise<void> {
    this.received.push(notification);
  }
}

describe.each(STORES)('early warnings on the $kind store', (store) => {
  let kit: ExampleKit;
  afterEach(async () => {
    await kit?.service.settle();
    await kit?.store.close();
  });

  async function setup(options: ExampleKitOptions = {}) {
    kit = createExampleKit({ store, ...options });
    return registerExampleAccount(kit);
  }

  const expiring = (id: string, deadline: Date) =>
    kit.ingest([
      {
        id,
        type: 'account.expiring',
        account_id: 'acc_1',
        expires_at: deadline.toISOString(),
        occurred_at: kit.clock.now().toISOString(),
      },
    ]);
  const status = (id: string, value: 'login_required' | 'active') =>
    kit.ingest([
      {
        id,
        type: 'account.status',
        account_id: 'acc_1',
        status: value,
        occurred_at: kit.clock.now().toISOString(),
      },
    ]);
  const expiringEvents = async (): Promise<ConnectionEvent[]> =>
    (await kit.store.listOutbox({}))
      .map((entry) => entry.event)
      .filter((e) => e.type === 'connection.expiring');

  it('a webhook deadline emits one connection.expiring with the deadline; the connection stays connected', async () => {
    const connection = await setup();
    const deadline = new Date(kit.clock.now().getTime() + 7 * DAY);
    const result = await expiring('evt_1', deadline);
    expect(result).toMatchObject({ applied: 1, ignored: 0 });
    expect(result.events.map((e) => e.type)).toEqual(['connection.expiring']);
    expect(result.events[0]).toMatchObject({
      connectionId: connection.id,
      to: 'connected',
      cause: { kind: 'webhook', ref: 'evt_1' },
      vendor: { status: 'active', code: 'pending_expiration' },
      data: { code: 'access_expiring', deadline: deadline.toISOString() },
    });
    const stored = await kit.service.getConnection(connection.id);
    expect(stored).toMatchObject({
      state: 'connected',
      stateChangedAt: connection.stateChangedAt,
      warning: {
        code: 'access_expiring',
        deadline: deadline.toISOString(),
        raisedAt: kit.clock.now().toISOString(),
      },
    });
    // The connection stays usable: a status read keeps it connected and the user can still act on it.
    expect((await kit.service.getConnection(connection.id)).problem).toBeUndefined();
  });

  it('fires once per episode: the same deadline again is nothing new, a new deadline is', async () => {
    await setup();
    const deadline = new Date(kit.clock.now().getTime() + 7 * DAY);
    await expiring('evt_1', deadline);
    await kit.clock.advance(60_000);
    const again = await expiring('evt_2', deadline);
    expect(again).toMatchObject({ applied: 0, ignored: 1, events: [] });
    const later = new Date(deadline.getTime() + DAY);
    expect((await expiring('evt_3', later)).events.map((e) => e.type)).toEqual(['connection.expiring']);
    expect((await expiringEvents()).map((e) => e.data?.deadline)).toEqual([
      deadline.toISOString(),
      later.toISOString(),
    ]);
  });

  it('a state change ends the episode: after a break and a recovery the same deadline is news again', async () => {
    const connection = await setup();
    const deadline = new Date(kit.clock.now().getTime() + 7 * DAY);
    await expiring('evt_1', deadline);
    await kit.clock.advance(1000);
    await status('evt_2', 'login_required');
    expect((await kit.service.getConnection(connection.id)).warning).toBeUndefined();
    await kit.clock.advance(1000);
    await status('evt_3', 'active');
    await kit.clock.advance(1000);
    expect((await expiring('evt_4', deadline)).events.map((e) => e.type)).toEqual(['connection.expiring']);
    expect(await expiringEvents()).toHaveLength(2);
  });

  it('status reads report warnings too, and a read without one ends the standing warning silently', async () => {
    const connection = await setup();
    const deadline = new Date(kit.clock.now().getTime() + 3 * DAY);
    kit.vendor.account('acc_1').expiresAt = deadline;
    expect((await kit.service.checkStatus(connection.id)).warning).toMatchObject({
      deadline: deadline.toISOString(),
    });
    await kit.service.checkStatus(connection.id);
    expect(await expiringEvents()).toHaveLength(1);
    kit.vendor.account('acc_1').expiresAt = undefined;
    const renewed = await kit.service.checkStatus(connection.id);
    expect(renewed).toMatchObject({ state: 'connected' });
    expect(renewed.warning).toBeUndefined();
    kit.vendor.account('acc_1').expiresAt = deadline;
    await kit.service.checkStatus(connection.id);
    expect(await expiringEvents()).toHaveLength(2);
  });

  it('a deadline already past, or a terminal connection, is left alone', async () => {
    const connection = await setup();
    const past = await expiring('evt_1', new Date(kit.clock.now().getTime() - 1000));
    expect(past).toMatchObject({ applied: 0, ignored: 1 });
    await kit.service.revoke(connection.id);
    const terminal = await expiring('evt_2', new Date(kit.clock.now().getTime() + DAY));
    expect(terminal).toMatchObject({ applied: 0, ignored: 1 });
    expect(await expiringEvents()).toEqual([]);
  });

  it('the user hears of it through the notifier, with the warning’s reason and deadline', async () => {
    const notifier = new RecordingNotifier();
    const connection = await setup({ notifier });
    const deadline = new Date(kit.clock.now().getTime() + 7 * DAY);
    await expiring('evt_1', deadline);
    expect(notifier.received).toHaveLength(1);
    expect(notifier.received[0]).toMatchObject({
      connection: { id: connection.id, state: 'connected' },
      reason: 'Your example access expires soon. Renew it to keep it working.',
      warning: { code: 'access_expiring', deadline },
      cause: { kind: 'webhook', ref: 'evt_1' },
    });
    expect(notifier.received[0]?.action).toBeUndefined();
  });

  it('the default notifier records it in the same transaction as connection.notification', async () => {
    await setup();
    const deadline = new Date(kit.clock.now().getTime() + 7 * DAY);
    await expiring('evt_1', deadline);
    const notification = (await kit.store.listOutbox({}))
      .map((entry) => entry.event)
      .find((event) => event.type === 'connection.notification');
    expect(notification?.data).toMatchObject({
      reason: 'Your example access expires soon. Renew it to keep it working.',
      warning: { code: 'access_expiring', deadline: deadline.toISOString() },
    });
  });

  it('a reconnect action that carries a warning (a long-lived link) emits it when the reconnect starts', async () => {
    const connection = await setup();
    const deadline = new Date(kit.clock.now().getTime() + 30 * DAY);
    const start = kit.provider.startReconnection.bind(kit.provider);
    kit.provider.startReconnection = async (conn, ctx) => ({
      ...(await start(conn, ctx)),
      warning: { code: 'link_expiring', deadline, reason: 'Your link works for 30 days.' },
    });
    const { connection: reconnecting } = await kit.service.startReconnection(connection.id);
    expect(reconnecting).toMatchObject({ state: 'reconnecting', warning: { code: 'link_expiring' } });
    expect(await expiringEvents()).toMatchObject([
      { to: 'reconnecting', cause: { kind: 'reconnect' }, data: { deadline: deadline.toISOString() } },
    ]);
  });

  it('a hint-only webhook’s confirmRef reaches fetchStatus as the hint', async () => {
    await setup();
    await kit.ingest([
      {
        id: 'evt_1',
        type: 'job.done',
        account_id: 'acc_1',
        occurred_at: kit.clock.now().toISOString(),
        hint: true,
        ref: 'https://vendor.example/jobs/42',
      },
    ]);
    await kit.service.settle();
    expect(kit.vendor.statusHints).toEqual([{ ref: 'https://vendor.example/jobs/42' }]);
  });
});
