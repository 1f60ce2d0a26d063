import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { registerExampleAccount } from './kit.test-helpers.js';
import type { ExampleWebhookEvent } from './testing/index.js';
import { createExampleKit, type ExampleKit } from './testing/index.js';
import type { ProviderCapabilities } from './types.js';

/**
 * Issue 12, findings 1 and 3 at the service: a completion never applies a terminal state or anything the vendor
 * did not confirm (callback parameters are claims), and successors attach to a host user only through evidence
 * that names that user.
 */

let kit: ExampleKit;
afterEach(async () => {
  await kit?.service.stopDispatcher();
  await kit?.store.close();
});

function statusEvent(
  id: string,
  status: ExampleWebhookEvent['status'],
  account = 'acc_1',
  owner = 'owner_1',
): ExampleWebhookEvent {
  return {
    id,
    type: 'account.status',
    account_id: account,
    owner_id: owner,
    status,
    occurred_at: kit.clock.now().toISOString(),
  };
}

async function brokenConnection() {
  const connection = await registerExampleAccount(kit, { token: 'tok_1', hostUserId: 'alice' });
  await kit.ingest([statusEvent('evt_break', 'login_required')]);
  return connection;
}

describe('completion: untrusted callback input never decides a terminal state (finding 1)', () => {
  it.each([
    ['an unconfirmed claim', { outcome: 'unconfirmed' as const }],
    [
      'a terminal verdict',
      {
        outcome: 'failed' as const,
        problem: {
          state: 'revoked' as const,
          vendor: { status: 'not_found' },
          reason: 'The account was removed.',
          fix: 'new_connection' as const,
        },
      },
    ],
  ])(
    '%s: a failed attempt; the connection goes back to its problem, keeps its secrets, can start again',
    async (_, result) => {
      kit = createExampleKit();
      const connection = await brokenConnection();
      const { action } = await kit.service.startReconnection(connection.id);
      kit.provider.completeReconnection = async () => result;
      const before = (await kit.store.listOutbox({})).length;

      const outcome = await kit.service.completeReconnection({ state: (action as { state: string }).state });

      expect(outcome).toMatchObject({ outcome: 'failed', connection: { state: 'needs_reauth' } });
      const after = await kit.service.getConnection(connection.id);
      expect(after).toMatchObject({ state: 'needs_reauth', upstreamId: 'acc_1' });
      expect(await kit.store.getSecrets(connection.id)).toBeDefined();
      const added = (await kit.store.listOutbox({})).slice(before).map((entry) => entry.event);
      expect(added.map((event) => [event.type, event.from, event.to])).toEqual([
        ['connection.reconnect_failed', 'reconnecting', 'needs_reauth'],
        ['connection.state_changed', 'reconnecting', 'needs_reauth'],
      ]);
      expect((await kit.service.startReconnection(connection.id)).connection.state).toBe('reconnecting');
    },
  );
});

describe('completion from a healthy start', () => {
  it('an unconfirmed completion of a reconnect started from connected goes back to connected', async () => {
    kit = createExampleKit();
    kit.vendor.addAccount({ id: 'acc_1', ownerId: 'owner_1', token: 'tok_1' });
    const connection = await kit.service.registerConnection({
      provider: 'example',
      hostUserId: 'alice',
      upstreamId: 'acc_1',
      upstreamParentId: 'owner_1',
    });
    const { action } = await kit.service.startReconnection(connection.id);
    kit.provider.completeReconnection = async () => ({ outcome: 'unconfirmed' });
    const outcome = await kit.service.completeReconnection({ state: (action as { state: string }).state });
    expect(outcome).toMatchObject({ outcome: 'failed', connection: { state: 'connected' } });
    expect((await kit.service.getConnection(connection.id)).state).toBe('connected');
  });
});

describe('successors by evidence (finding 3)', () => {
  async function revokedConnection() {
    const connection = await kit.service.registerConnection({
      provider: 'example',
      hostUserId: 'alice',
      upstreamId: 'acc_1',
      upstreamParentId: 'company_1',
    });
    await kit.ingest([statusEvent('evt_removed', 'removed', 'acc_1', 'company_1')]);
    return connection;
  }

  it('a shared parent (company): the new connection is not attached to the revoked one’s user; an event says so once', async () => {
    kit = createExampleKit();
    const shared: ProviderCapabilities = { ...kit.provider.capabilities, parentIsHostUser: false };
    Object.defineProperty(kit.provider, 'capabilities', { value: shared });
    const alice = await revokedConnection();

    const result = await kit.ingest([statusEvent('evt_new', 'active', 'acc_bob', 'company_1')]);
    expect(result).toMatchObject({ applied: 0, ignored: 1 });
    expect(await kit.store.findByUpstream('example', 'acc_bob')).toBeUndefined();
    await kit.ingest([statusEvent('evt_new_again', 'active', 'acc_bob', 'company_1')]);
    const unassigned = (await kit.store.listOutbox({}))
      .map((entry) => entry.event)
      .filter((event) => event.type === 'connection.successor_unassigned');
    expect(unassigned).toHaveLength(1);
    expect(unassigned[0]).toMatchObject({
      connectionId: alice.id,
      data: { upstreamId: 'acc_bob', upstreamParentId: 'company_1', state: 'connected' },
    });
    expect(await kit.store.listIgnoredSignals({ provider: 'example' })).toContainEqual(
      expect.objectContaining({ upstreamId: 'acc_bob', reason: 'unassigned_successor' }),
    );

    // Bob's own connect flow registers it for bob (it used to be "registered to another host user").
    const bob = await kit.service.registerConnection({
      provider: 'example',
      hostUserId: 'bob',
      upstreamId: 'acc_bob',
      upstreamParentId: 'company_1',
    });
    expect(bob).toMatchObject({ hostUserId: 'bob', state: 'connected' });
  });

  it('a parent that names one host user: the successor is registered for that user, linked to the revoked one', async () => {
    kit = createExampleKit();
    const alice = await revokedConnection();
    await kit.ingest([statusEvent('evt_new', 'active', 'acc_2', 'company_1')]);
    expect(await kit.store.findByUpstream('example', 'acc_2')).toMatchObject({
      hostUserId: 'alice',
      previousConnectionId: alice.id,
    });
  });
});
