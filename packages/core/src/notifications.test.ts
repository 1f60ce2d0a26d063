import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerExampleAccount } from './kit.test-helpers.js';
import type { Notifier } from './ports.js';
import { createExampleKit, type ExampleKit, type ExampleKitOptions } from './testing/index.js';
import type { UserNotification } from './types.js';

let kit: ExampleKit;
afterEach(async () => {
  await kit?.store.close();
});

/** Records notifications and the committed state the store shows at notification time. */
class RecordingNotifier implements Notifier {
  readonly received: { notification: UserNotification; committedState: string | undefined }[] = [];
  constructor(private readonly read: () => ExampleKit) {}
  async notify(notification: UserNotification): Promise<void> {
    const stored = await this.read().store.getConnection(notification.connection.id);
    this.received.push({ notification, committedState: stored?.state });
  }
}

async function setup(options: ExampleKitOptions = {}) {
  const notifier = new RecordingNotifier(() => kit);
  kit = createExampleKit({ notifier, ...options });
  const connection = await registerExampleAccount(kit);
  const status = async (id: string, value: 'login_required' | 'removed' | 'outage' | 'active') =>
    kit.ingest([
      {
        id,
        type: 'account.status',
        account_id: 'acc_1',
        status: value,
        occurred_at: kit.clock.now().toISOString(),
      },
    ]);
  return { notifier, connection, status };
}

describe('notifications', () => {
  it('notifies after commit with plain reason and default impact, without an action by default', async () => {
    const { notifier, connection, status } = await setup();
    await status('evt_1', 'login_required');
    expect(notifier.received).toHaveLength(1);
    const [{ notification, committedState }] = notifier.received as [RecordingNotifier['received'][number]];
    expect(committedState).toBe('needs_reauth');
    expect(notification).toMatchObject({
      connection: { id: connection.id, state: 'needs_reauth', hostUserId: 'user_1' },
      reason: 'The example site signed you out.',
      impact: ['Data from this account stops updating until it is reconnected.'],
      cause: { kind: 'webhook', ref: 'evt_1' },
    });
    expect(notification.action).toBeUndefined();
  });

  it("falls back to the provider's impact when the service options set none for it", async () => {
    const { notifier, status } = await setup({ providerImpact: ['Paystubs stop refreshing.'] });
    await status('evt_1', 'login_required');
    expect(notifier.received.map((r) => r.notification.impact)).toEqual([['Paystubs stop refreshing.']]);
  });

  it("prefers the service options' impact for the provider over the provider's own", async () => {
    const { notifier, status } = await setup({
      providerImpact: ['Paystubs stop refreshing.'],
      options: { notifications: { providers: { example: { impact: ['Paychecks stop syncing.'] } } } },
    });
    await status('evt_1', 'login_required');
    expect(notifier.received.map((r) => r.notification.impact)).toEqual([['Paychecks stop syncing.']]);
  });

  it('uses the default impact when another provider has one configured', async () => {
    const { notifier, status } = await setup({
      options: {
        notifications: {
          defaultImpact: ['Syncing stops.'],
          providers: { other: { impact: ['Not this one.'] } },
        },
      },
    });
    await status('evt_1', 'login_required');
    expect(notifier.received.map((r) => r.notification.impact)).toEqual([['Syncing stops.']]);
  });

  it('does not notify for states the user cannot fix', async () => {
    const { notifier, status } = await setup();
    await status('evt_1', 'outage');
    await kit.clock.advance(1);
    await status('evt_2', 'active');
    expect(notifier.received).toEqual([]);
  });

  it('includes a working reconnect action and per-provider impact when the policy allows', async () => {
    const { notifier, connection, status } = await setup({
      options: {
        notifications: {
          providers: { example: { includeAction: true, impact: ['Paychecks stop syncing.'] } },
        },
      },
    });
    await status('evt_1', 'login_required');
    const notification = notifier.received[0]?.notification;
    expect(notification?.impact).toEqual(['Paychecks stop syncing.']);
    const action = notification?.action;
    if (action?.kind !== 'redirect') throw new Error('expected a redirect action');
    // The connection stays needs_reauth until the user acts; the action's state completes the reconnect.
    expect((await kit.service.getConnection(connection.id)).state).toBe('needs_reauth');
    kit.vendor.issueCode('code_1', { accountId: 'acc_1', ownerId: 'owner_1', token: 'tok_2' });
    const outcome = await kit.service.completeReconnection({
      state: action.state,
      code: 'code_1',
    });
    expect(outcome.outcome).toBe('recovered');
  });

  it('notifies a revocation without an action', async () => {
    const { notifier, status } = await setup({
      options: { notifications: { providers: { example: { includeAction: true } } } },
    });
    await status('evt_1', 'removed');
    expect(notifier.received[0]?.notification).toMatchObject({
      connection: { state: 'revoked' },
      reason: 'Access was removed.',
    });
    expect(notifier.received[0]?.notification.action).toBeUndefined();
  });

  it('a failing notifier does not undo or fail the change', async () => {
    kit = createExampleKit({
      notifier: {
        notify: async () => {
          throw new Error('smtp down');
        },
      },
    });
    kit.vendor.addAccount({ id: 'acc_1', ownerId: 'owner_1', token: 'tok' });
    const connection = await kit.service.registerConnection({
      provider: 'example',
      hostUserId: 'u',
      upstreamId: 'acc_1',
    });
    const result = await kit.ingest([
      {
        id: 'e',
        type: 'account.status',
        account_id: 'acc_1',
        status: 'removed',
        occurred_at: kit.clock.now().toISOString(),
      },
    ]);
    expect(result.applied).toBe(1);
    expect((await kit.service.getConnection(connection.id)).state).toBe('revoked');
  });

  it('the default OutboxNotifier records connection.notification with the action kind only', async () => {
    kit = createExampleKit({
      options: { notifications: { providers: { example: { includeAction: true } } } },
    });
    kit.vendor.addAccount({ id: 'acc_1', ownerId: 'owner_1', token: 'tok' });
    await kit.service.registerConnection({ provider: 'example', hostUserId: 'u', upstreamId: 'acc_1' });
    await kit.ingest([
      {
        id: 'e',
        type: 'account.status',
        account_id: 'acc_1',
        status: 'login_required',
        occurred_at: kit.clock.now().toISOString(),
      },
    ]);
    const entry = (await kit.store.listOutbox({})).find((e) => e.event.type === 'connection.notification');
    expect(entry?.event).toMatchObject({
      to: 'needs_reauth',
      cause: { kind: 'webhook', ref: 'e' },
      data: { reason: 'The example site signed you out.', actionKind: 'redirect' },
    });
    expect(JSON.stringify(entry)).not.toContain('state=');
  });

  it('without an action, the default OutboxNotifier records the notification in the same transaction as the change', async () => {
    kit = createExampleKit();
    kit.vendor.addAccount({ id: 'acc_1', ownerId: 'owner_1', token: 'tok' });
    const connection = await kit.service.registerConnection({
      provider: 'example',
      hostUserId: 'u',
      upstreamId: 'acc_1',
    });
    const transactions = vi.spyOn(kit.store, 'transaction');
    await kit.ingest([
      {
        id: 'e',
        type: 'account.status',
        account_id: 'acc_1',
        status: 'login_required',
        occurred_at: kit.clock.now().toISOString(),
      },
    ]);
    expect(transactions).toHaveBeenCalledTimes(1);
    const types = (await kit.store.listOutbox({})).map((entry) => entry.event.type);
    expect(types.slice(-2)).toEqual(['connection.state_changed', 'connection.notification']);
    const notification = (await kit.store.listOutbox({})).at(-1)?.event;
    expect(notification).toMatchObject({
      connectionId: connection.id,
      to: 'needs_reauth',
      cause: { kind: 'webhook', ref: 'e' },
      data: { reason: 'The example site signed you out.', actionKind: undefined },
    });
  });
});
