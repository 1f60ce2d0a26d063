import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { rejection } from './error-code.test-helpers.js';
import { isReconnectKitError, ReconnectKitError } from './errors.js';
import { eventIdFor } from './event-id.js';
import { secondServiceInstance } from './kit.test-helpers.js';
import { drive } from './resilience/resilience.test-helpers.js';
import type { ExampleKitOptions, ExampleWebhookEvent } from './testing/index.js';
import { createExampleKit, ExampleApiError, type ExampleKit, TEST_SECRET_BOX } from './testing/index.js';
import type { ConnectionEvent } from './types.js';

const STORES: readonly NonNullable<ExampleKitOptions['store']>[] = [
  { kind: 'memory' },
  { kind: 'sqlite', path: ':memory:' },
];

describe.each(STORES)('on the $kind store', (store) => {
  const make = (options: ExampleKitOptions = {}) => createExampleKit({ store, ...options });

  let kit: ExampleKit;
  afterEach(async () => {
    await kit?.service.stopDispatcher();
    await kit?.store.close();
  });

  async function connected(k: ExampleKit, id = 'acc_1', ownerId = 'owner_1') {
    k.vendor.addAccount({ id, ownerId, token: `tok_${id}` });
    return k.service.registerConnection({
      provider: 'example',
      hostUserId: 'user_1',
      upstreamId: id,
      upstreamParentId: ownerId,
      secrets: { token: `tok_${id}` },
    });
  }

  function statusEvent(
    k: ExampleKit,
    id: string,
    status: ExampleWebhookEvent['status'],
    offsetMs = 0,
    account = 'acc_1',
    owner = 'owner_1',
  ): ExampleWebhookEvent {
    return {
      id,
      type: 'account.status',
      account_id: account,
      owner_id: owner,
      status,
      occurred_at: new Date(k.clock.now().getTime() + offsetMs).toISOString(),
    };
  }

  describe('ReconnectionService: webhooks', () => {
    it('applies a broken signal: state, events with from/to, outbox, notification', async () => {
      kit = make();
      const connection = await connected(kit);
      const result = await kit.ingest([statusEvent(kit, 'evt_1', 'login_required')]);
      expect(result).toMatchObject({ applied: 1, duplicates: 0, ignored: 0 });
      expect(result.events.map((e) => e.type)).toEqual(['connection.broken', 'connection.state_changed']);
      expect(result.events[1]).toMatchObject({
        from: 'connected',
        to: 'needs_reauth',
        connectionId: connection.id,
      });
      const stored = await kit.service.getConnection(connection.id);
      expect(stored).toMatchObject({
        state: 'needs_reauth',
        vendor: { status: 'login_required' },
        version: 2,
      });
      expect(stored.problem?.fix).toBe('one_click');
      const outbox = await kit.store.listOutbox({});
      expect(outbox.map((e) => e.event.type)).toEqual([
        'connection.state_changed', // registration
        'connection.broken',
        'connection.state_changed',
        'connection.notification',
      ]);
      expect(outbox[3]?.event.data).toMatchObject({ reason: 'The example site signed you out.' });
    });

    it('derives event ids from connection, version and type', async () => {
      kit = make();
      const connection = await connected(kit);
      const result = await kit.ingest([statusEvent(kit, 'evt_1', 'outage')]);
      const written = await kit.service.getConnection(connection.id);
      expect(written.version).toBe(2);
      expect(result.events[0]?.id).toBe(eventIdFor(written, 'connection.degraded'));
      expect(result.events[0]?.id).toMatch(/^evt_[0-9a-f]{12}[\w-]{22}$/);
    });

    it('deduplicates a redelivered webhook by event id', async () => {
      kit = make();
      await connected(kit);
      const events = [statusEvent(kit, 'evt_1', 'login_required')];
      await kit.ingest(events);
      const again = await kit.ingest(events);
      expect(again).toMatchObject({ applied: 0, duplicates: 1, ignored: 0, events: [] });
    });

    it('deduplicates concurrent deliveries of the same event: exactly one applies', async () => {
      kit = make();
      await connected(kit);
      const events = [statusEvent(kit, 'evt_1', 'login_required')];
      const results = await Promise.all(Array.from({ length: 10 }, () => kit.ingest(events)));
      expect(results.reduce((n, r) => n + r.applied, 0)).toBe(1);
      expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(9);
    });

    it('ignores and journals a stale signal', async () => {
      kit = make();
      const connection = await connected(kit);
      await kit.ingest([statusEvent(kit, 'evt_new', 'login_required', 0)]);
      const result = await kit.ingest([statusEvent(kit, 'evt_old', 'active', -1000)]);
      expect(result).toMatchObject({ applied: 0, ignored: 1 });
      expect((await kit.service.getConnection(connection.id)).state).toBe('needs_reauth');
      const [journal] = await kit.store.listIgnoredSignals({ connectionId: connection.id });
      expect(journal).toMatchObject({
        reason: 'stale',
        eventId: 'evt_old',
        from: 'needs_reauth',
        to: 'connected',
      });
    });

    it('records unknown events and unknown connections without applying them', async () => {
      kit = make();
      await connected(kit);
      const result = await kit.ingest([
        { ...statusEvent(kit, 'evt_a', undefined), type: 'account.synced' },
        statusEvent(kit, 'evt_b', 'login_required', 0, 'acc_unknown', 'owner_unknown'),
      ]);
      expect(result).toMatchObject({ applied: 0, ignored: 2 });
      const journal = await kit.store.listIgnoredSignals({ provider: 'example' });
      expect(journal.map((j) => j.reason).sort()).toEqual(['unknown_connection', 'unknown_event']);
    });

    it('records an illegal transition and leaves the state alone', async () => {
      kit = make();
      const connection = await connected(kit);
      const result = await kit.ingest([statusEvent(kit, 'evt_1', 'linking')]);
      expect(result.ignored).toBe(1);
      expect((await kit.service.getConnection(connection.id)).state).toBe('connected');
      expect((await kit.store.listIgnoredSignals({}))[0]?.reason).toBe('illegal_transition');
    });

    it('updates vendor status without events on a same-state signal', async () => {
      kit = make();
      const connection = await connected(kit);
      const result = await kit.ingest([statusEvent(kit, 'evt_1', 'active')]);
      expect(result).toMatchObject({ applied: 1, events: [] });
      expect(await kit.service.getConnection(connection.id)).toMatchObject({
        state: 'connected',
        vendor: { status: 'active' },
        version: 2,
      });
    });

    it('registers a linked successor when a new account appears under a revoked owner', async () => {
      kit = make();
      const old = await connected(kit);
      await kit.ingest([statusEvent(kit, 'evt_1', 'removed')]);
      const result = await kit.ingest([statusEvent(kit, 'evt_2', 'active', 1, 'acc_2', 'owner_1')]);
      expect(result.applied).toBe(1);
      const successor = await kit.store.findByUpstream('example', 'acc_2');
      expect(successor).toMatchObject({
        previousConnectionId: old.id,
        hostUserId: old.hostUserId,
        state: 'connected',
      });
      expect((await kit.service.getConnection(old.id)).state).toBe('revoked');
    });

    it('rejects a bad signature and changes nothing', async () => {
      kit = make();
      await connected(kit);
      const signed = kit.webhook([statusEvent(kit, 'evt_1', 'login_required')]);
      const tampered = new TextEncoder().encode(signed.body.replace('login_required', 'removed'));
      const error = await rejection(
        kit.service.ingestWebhook('example', tampered, new Headers(signed.headers)),
      );
      expect(isReconnectKitError(error, 'webhook_signature_invalid')).toBe(true);
      expect(await kit.store.listOutbox({ status: 'pending' })).toHaveLength(1);
    });

    it('refuses an unregistered provider', async () => {
      kit = make();
      const error = await rejection(kit.service.ingestWebhook('nope', new Uint8Array(), new Headers()));
      expect(isReconnectKitError(error, 'provider_not_registered')).toBe(true);
    });
  });

  describe('ReconnectionService: errors and status', () => {
    it('reportError classifies a vendor error and applies it', async () => {
      kit = make();
      const connection = await connected(kit);
      const updated = await kit.service.reportError(
        connection.id,
        new ExampleApiError(403, 'password_expired'),
      );
      expect(updated.state).toBe('needs_credentials');
      const unchanged = await kit.service.reportError(connection.id, new Error('network'));
      expect(unchanged.version).toBe(updated.version);
    });

    it('checkStatus reads the vendor with the decrypted secrets', async () => {
      kit = make();
      const connection = await connected(kit);
      kit.vendor.setStatus('acc_1', 'outage');
      expect((await kit.service.checkStatus(connection.id)).state).toBe('degraded');
      kit.vendor.setStatus('acc_1', 'active');
      await kit.clock.advance(1000);
      expect((await kit.service.checkStatus(connection.id)).state).toBe('connected');
    });
  });

  describe('ReconnectionService: reconnection', () => {
    async function broken(k: ExampleKit) {
      const connection = await connected(k);
      await k.ingest([statusEvent(k, 'evt_break', 'login_required')]);
      return connection;
    }

    it('startReconnection mints a state, returns the action and moves to reconnecting', async () => {
      kit = make();
      const connection = await broken(kit);
      const { connection: updated, action } = await kit.service.startReconnection(connection.id, {
        redirectUri: 'https://host.test/callback',
      });
      expect(updated.state).toBe('reconnecting');
      expect(action.kind).toBe('redirect');
      if (action.kind !== 'redirect') return;
      expect(new URL(action.url).searchParams.get('state')).toBe(action.state);
      expect(action.expiresAt.getTime() - kit.clock.now().getTime()).toBe(30 * 60 * 1000);
    });

    it('completeReconnection recovers, stores the new secrets sealed and emits recovered', async () => {
      kit = make();
      const connection = await broken(kit);
      const { action } = await kit.service.startReconnection(connection.id);
      kit.vendor.issueCode('code_1', { accountId: 'acc_1', ownerId: 'owner_1', token: 'tok_new' });
      const outcome = await kit.service.completeReconnection({
        state: (action as { state: string }).state,
        code: 'code_1',
      });
      expect(outcome.outcome).toBe('recovered');
      expect(outcome.connection.state).toBe('connected');
      const sealed = await kit.store.getSecrets(connection.id);
      expect(sealed).toMatch(/^v1\.k1\./);
      expect(sealed).not.toContain('tok_new');
      // The vendor only accepts the new token: a status check proves the provider got it.
      expect((await kit.service.checkStatus(connection.id)).state).toBe('connected');
      const types = (await kit.store.listOutbox({})).map((e) => e.event.type);
      expect(types).toContain('connection.recovered');
    });

    it('single flight: 20 concurrent completions make one exchange and share its outcome', async () => {
      kit = make();
      const connection = await broken(kit);
      const { action } = await kit.service.startReconnection(connection.id);
      const state = (action as { state: string }).state;
      kit.vendor.issueCode('code_1', { accountId: 'acc_1', ownerId: 'owner_1', token: 'tok_new' });
      const release = kit.vendor.holdExchanges();
      const calls = Array.from({ length: 20 }, () =>
        kit.service.completeReconnection({ state, code: 'code_1' }),
      );
      await new Promise((resolve) => setImmediate(resolve));
      release();
      const outcomes = await Promise.all(calls);
      expect(kit.vendor.exchangeCount()).toBe(1);
      expect(new Set(outcomes.map((o) => JSON.stringify(o))).size).toBe(1);
      expect(outcomes[0]?.outcome).toBe('recovered');
      // The state is single use: a later call is refused with the outcome's code, without another exchange.
      const later = await rejection(kit.service.completeReconnection({ state, code: 'code_1' }));
      expect(later).toMatchObject({ code: 'state_used', details: { outcome: 'recovered' } });
      expect(kit.vendor.exchangeCount()).toBe(1);
    });

    it('account_mismatch restores the problem state (ids, secrets, vendor status kept) so the user can retry', async () => {
      kit = make();
      const connection = await broken(kit);
      const problemState = await kit.service.getConnection(connection.id);
      const sealed = await kit.store.getSecrets(connection.id);
      const { action, connection: reconnecting } = await kit.service.startReconnection(connection.id);
      const outboxBefore = (await kit.store.listOutbox({})).length;
      kit.vendor.issueCode('code_1', { accountId: 'acc_other', ownerId: 'owner_2', token: 'tok_other' });
      const outcome = await kit.service.completeReconnection({
        state: (action as { state: string }).state,
        code: 'code_1',
      });
      expect(outcome).toMatchObject({
        outcome: 'account_mismatch',
        expected: { upstreamId: 'acc_1', upstreamParentId: 'owner_1' },
        actual: { upstreamId: 'acc_other', upstreamParentId: 'owner_2' },
      });
      const stored = await kit.service.getConnection(connection.id);
      expect(outcome.connection).toEqual(stored);
      expect(stored).toEqual({
        ...reconnecting,
        state: 'needs_reauth',
        updatedAt: stored.updatedAt,
        stateChangedAt: stored.stateChangedAt,
        version: reconnecting.version + 1,
      });
      expect(stored.problem).toEqual(problemState.problem);
      expect(stored.vendor).toEqual(problemState.vendor);
      expect(stored.lastSignalAt).toBe(problemState.lastSignalAt);
      expect(await kit.store.getSecrets(connection.id)).toBe(sealed);
      // Subscribers see the mismatch and the state change back, not a fresh breakage; the user is not notified.
      const added = (await kit.store.listOutbox({})).slice(outboxBefore).map((e) => e.event);
      expect(added.map((e) => [e.type, e.from, e.to])).toEqual([
        ['connection.account_mismatch', 'reconnecting', 'needs_reauth'],
        ['connection.state_changed', 'reconnecting', 'needs_reauth'],
      ]);
      expect(added[0]?.data).toMatchObject({
        expected: { upstreamId: 'acc_1', upstreamParentId: 'owner_1' },
        actual: { upstreamId: 'acc_other', upstreamParentId: 'owner_2' },
      });
      // The user can try again, and this time lands in the right account.
      const retry = await kit.service.startReconnection(connection.id);
      kit.vendor.issueCode('code_2', { accountId: 'acc_1', ownerId: 'owner_1', token: 'tok_new' });
      const recovered = await kit.service.completeReconnection({
        state: (retry.action as { state: string }).state,
        code: 'code_2',
      });
      expect(recovered).toMatchObject({ outcome: 'recovered', connection: { state: 'connected' } });
    });

    it('account_mismatch after a reconnect started from connected leaves the connection as it is', async () => {
      kit = make();
      const connection = await connected(kit);
      const { action, connection: before } = await kit.service.startReconnection(connection.id);
      const outboxBefore = (await kit.store.listOutbox({})).length;
      kit.vendor.issueCode('code_1', { accountId: 'acc_other', ownerId: 'owner_2', token: 'tok_other' });
      const outcome = await kit.service.completeReconnection({
        state: (action as { state: string }).state,
        code: 'code_1',
      });
      expect(outcome.outcome).toBe('account_mismatch');
      expect(outcome.connection).toEqual(before);
      expect(await kit.service.getConnection(connection.id)).toEqual(before);
      const added = (await kit.store.listOutbox({})).slice(outboxBefore).map((e) => e.event);
      expect(added.map((e) => [e.type, e.from, e.to])).toEqual([
        ['connection.account_mismatch', undefined, 'reconnecting'],
      ]);
    });

    it('pending keeps reconnecting and lets a later call complete', async () => {
      kit = make();
      const connection = await broken(kit);
      const { action } = await kit.service.startReconnection(connection.id);
      const state = (action as { state: string }).state;
      kit.vendor.issueCode('code_1', {
        accountId: 'acc_1',
        ownerId: 'owner_1',
        token: 't',
        status: 'linking',
      });
      const pending = await kit.service.completeReconnection({ state, code: 'code_1' });
      expect(pending).toMatchObject({ outcome: 'pending', connection: { state: 'reconnecting' } });
      kit.vendor.issueCode('code_2', { accountId: 'acc_1', ownerId: 'owner_1', token: 't2' });
      expect((await kit.service.completeReconnection({ state, code: 'code_2' })).outcome).toBe('recovered');
    });

    it('a failed completion applies the problem', async () => {
      kit = make();
      const connection = await broken(kit);
      const { action } = await kit.service.startReconnection(connection.id);
      kit.vendor.issueCode('code_1', {
        accountId: 'acc_1',
        ownerId: 'owner_1',
        token: 't',
        status: 'password_expired',
      });
      const outcome = await kit.service.completeReconnection({
        state: (action as { state: string }).state,
        code: 'code_1',
      });
      expect(outcome).toMatchObject({ outcome: 'failed', connection: { state: 'needs_credentials' } });
    });

    it("a failed completion is the vendor's new verdict: broken + state_changed, and the user is notified", async () => {
      kit = make();
      const connection = await broken(kit);
      const { action } = await kit.service.startReconnection(connection.id);
      const outboxBefore = (await kit.store.listOutbox({})).length;
      kit.vendor.issueCode('code_1', {
        accountId: 'acc_1',
        ownerId: 'owner_1',
        token: 't',
        status: 'password_expired',
      });
      await kit.service.completeReconnection({ state: (action as { state: string }).state, code: 'code_1' });
      const added = (await kit.store.listOutbox({})).slice(outboxBefore).map((e) => e.event);
      expect(added.map((e) => [e.type, e.from, e.to])).toEqual([
        ['connection.broken', 'reconnecting', 'needs_credentials'],
        ['connection.state_changed', 'reconnecting', 'needs_credentials'],
        ['connection.notification', undefined, 'needs_credentials'],
      ]);
    });

    it('stores nothing when the connection is revoked while the user is in the vendor flow', async () => {
      kit = make();
      const connection = await broken(kit);
      const { action } = await kit.service.startReconnection(connection.id);
      kit.vendor.issueCode('code_1', { accountId: 'acc_1', ownerId: 'owner_1', token: 'tok_late' });
      const release = kit.vendor.holdExchanges();
      const completion = rejection(
        kit.service.completeReconnection({ state: (action as { state: string }).state, code: 'code_1' }),
      );
      await new Promise((resolve) => setImmediate(resolve));
      await kit.ingest([statusEvent(kit, 'evt_removed', 'removed', 1)]);
      release();
      expect(isReconnectKitError(await completion, 'connection_terminal')).toBe(true);
      expect((await kit.service.getConnection(connection.id)).state).toBe('revoked');
      expect(await kit.store.getSecrets(connection.id)).toBeUndefined();
    });

    it('a completion that lands in a problem state is a failed outcome', async () => {
      kit = make();
      const connection = await broken(kit);
      const { action } = await kit.service.startReconnection(connection.id);
      kit.provider.completeReconnection = async () => ({
        outcome: 'completed',
        upstreamId: 'acc_1',
        upstreamParentId: 'owner_1',
        vendor: { status: 'outage' },
        state: 'degraded',
      });
      const outcome = await kit.service.completeReconnection({ state: (action as { state: string }).state });
      expect(outcome).toMatchObject({
        outcome: 'failed',
        connection: { state: 'degraded' },
        problem: { state: 'degraded', fix: 'wait', vendor: { status: 'outage' } },
      });
    });

    it('rejects tampered, expired and foreign states', async () => {
      kit = make();
      const connection = await broken(kit);
      const { action } = await kit.service.startReconnection(connection.id);
      const state = (action as { state: string }).state;
      const [payload, signature] = state.split('.');
      const forged = `${Buffer.from(
        Buffer.from(payload as string, 'base64url')
          .toString()
          .replace(connection.id, 'conn_x'),
      ).toString('base64url')}.${signature}`;
      for (const bad of [forged, `${state}x`, 'garbage', '']) {
        const error = await rejection(kit.service.completeReconnection({ state: bad, code: 'c' }));
        expect(isReconnectKitError(error, 'state_invalid')).toBe(true);
      }
      await kit.clock.advance(30 * 60 * 1000);
      const expired = await rejection(kit.service.completeReconnection({ state, code: 'c' }));
      expect(isReconnectKitError(expired, 'state_expired')).toBe(true);
      expect(kit.vendor.exchangeCount()).toBe(0);
    });

    it('refuses to start a reconnection for a terminal connection', async () => {
      kit = make();
      const connection = await connected(kit);
      await kit.service.revoke(connection.id);
      const error = await rejection(kit.service.startReconnection(connection.id));
      expect(isReconnectKitError(error, 'connection_terminal')).toBe(true);
    });

    it('revoke disconnects upstream, deletes the secrets and is idempotent', async () => {
      kit = make();
      const connection = await connected(kit);
      const revoked = await kit.service.revoke(connection.id);
      expect(revoked.state).toBe('disconnected');
      expect(kit.vendor.account('acc_1').status).toBe('removed');
      expect(await kit.store.getSecrets(connection.id)).toBeUndefined();
      expect(await kit.service.revoke(connection.id)).toEqual(revoked);
      expect(kit.vendor.calls.filter((c) => c.method === 'revoke')).toHaveLength(1);
    });
  });

  describe('ReconnectionService: outbox delivery', () => {
    it('redelivers after a failing handler, with backoff on the clock', async () => {
      kit = make({ options: { outbox: { retryBaseMs: 1000 } } });
      await connected(kit);
      const seen: ConnectionEvent[] = [];
      let fail = true;
      kit.service.subscribe((event) => {
        if (fail) throw new Error('handler down');
        seen.push(event);
      });
      expect(await kit.service.deliverOutbox()).toBe(0);
      const [entry] = await kit.store.listOutbox({ status: 'pending' });
      expect(entry).toMatchObject({ attempts: 1, lastError: 'Error' });
      fail = false;
      expect(await kit.service.deliverOutbox()).toBe(0); // not due yet
      await kit.clock.advance(1000);
      expect(await kit.service.deliverOutbox()).toBe(1);
      expect(seen.map((e) => e.id)).toEqual([entry?.event.id]);
      expect(await kit.store.listOutbox({ status: 'pending' })).toHaveLength(0);
    });

    it('the dispatcher does not sleep through a commit made while it was delivering', async () => {
      kit = make();
      const delivered: string[] = [];
      let failedOnce = false;
      kit.service.subscribe(async (event) => {
        if (!failedOnce) {
          failedOnce = true;
          await connected(kit, 'acc_2'); // commits (and wakes the dispatcher) mid-delivery
          throw new Error('first delivery fails');
        }
        delivered.push(event.connectionId);
      });
      await connected(kit, 'acc_1');
      kit.service.startDispatcher();
      for (let i = 0; i < 50 && delivered.length === 0; i += 1) await new Promise((r) => setImmediate(r));
      await kit.service.stopDispatcher();
      const second = await kit.store.findByUpstream('example', 'acc_2');
      expect(delivered).toEqual([second?.id]);
    });

    it('the background dispatcher delivers new events and stops cleanly', async () => {
      kit = make();
      const seen: string[] = [];
      kit.service.subscribe((event) => {
        seen.push(event.type);
      });
      kit.service.startDispatcher();
      await connected(kit);
      await kit.clock.advance(1000);
      await kit.service.stopDispatcher();
      expect(seen).toEqual(['connection.state_changed']);
    });
  });

  describe('ReconnectionService: across instances and key rotation', () => {
    it('two service instances sharing a store make one exchange for one state', async () => {
      kit = make();
      const connection = await connected(kit);
      const { action } = await kit.service.startReconnection(connection.id);
      const state = (action as { state: string }).state;
      kit.vendor.issueCode('code_1', { accountId: 'acc_1', ownerId: 'owner_1', token: 'tok_new' });
      // A second "process": its own service instance (own in-process single-flight map), same store.
      const second = secondServiceInstance(kit);
      const release = kit.vendor.holdExchanges();
      const calls = [kit.service, second, kit.service, second].map((s) =>
        s.completeReconnection({ state, code: 'code_1' }),
      );
      await new Promise((resolve) => setImmediate(resolve));
      release();
      const settled = await Promise.allSettled(calls);
      expect(kit.vendor.exchangeCount()).toBe(1);
      // The first instance's callers share its outcome; the other instance finds the state used once it gets
      // the connection lock (single use holds across processes).
      expect(
        settled.map((result) =>
          result.status === 'fulfilled' ? result.value.outcome : (result.reason as { code: string }).code,
        ),
      ).toEqual(['recovered', 'state_used', 'recovered', 'state_used']);
    });

    it('rotateSecrets re-seals every secret with the new primary key, page by page', async () => {
      kit = make();
      for (let i = 0; i < 5; i += 1) await connected(kit, `acc_${i}`, 'owner_1');
      const before = await kit.store.listSecrets(undefined, 100);
      expect(before.every((row) => row.sealed.startsWith('v1.k1.'))).toBe(true);
      // Same store, new key set: k2 primary, k1 still known.
      const rotatedKit = make({
        store: kit.store,
        secretBox: {
          keys: [...TEST_SECRET_BOX.keys, { id: 'k2', key: Buffer.alloc(32, 7).toString('base64') }],
          primaryKeyId: 'k2',
        },
      });
      rotatedKit.vendor.addAccount({ id: 'acc_3', ownerId: 'owner_1', token: 'tok_acc_3' });
      expect(await rotatedKit.service.rotateSecrets(2)).toEqual({ rotated: 5, unchanged: 0 });
      const after = await kit.store.listSecrets(undefined, 100);
      expect(after.every((row) => row.sealed.startsWith('v1.k2.'))).toBe(true);
      expect(await rotatedKit.service.rotateSecrets(2)).toEqual({ rotated: 0, unchanged: 5 });
      const target = before.find((row) => row.connectionId)?.connectionId as string;
      const conn = await rotatedKit.service.getConnection(target);
      rotatedKit.vendor.addAccount({
        id: conn.upstreamId,
        ownerId: 'owner_1',
        token: `tok_${conn.upstreamId}`,
      });
      expect((await rotatedKit.service.checkStatus(target)).state).toBe('connected');
    });
  });

  describe('ReconnectionService: registration and listing', () => {
    it('rejects bad input with invalid_input naming the field, and stores nothing', async () => {
      kit = make();
      const cases: [unknown, string][] = [
        [{ provider: 'example', hostUserId: '', upstreamId: 'a' }, 'hostUserId'],
        [{ provider: 'example', hostUserId: 'u', upstreamId: 'a', state: 'revoked' }, 'state'],
        [{ provider: 'example', hostUserId: 'u', upstreamId: 'a', state: 'broken' }, 'state'],
        [{ provider: 'example', hostUserId: 'u', upstreamId: 'a', secrets: { token: 1 } }, 'secrets.token'],
        [{ provider: 'example', hostUserId: 'u', upstreamId: 'a', colour: 'red' }, 'colour'],
      ];
      for (const [input, field] of cases) {
        const error = await rejection(kit.service.registerConnection(input as never));
        expect(isReconnectKitError(error, 'invalid_input')).toBe(true);
        expect((error as { details: { field: string } }).details.field).toBe(field);
      }
      const unknownProvider = await rejection(
        kit.service.registerConnection({ provider: 'nope', hostUserId: 'u', upstreamId: 'a' }),
      );
      expect(isReconnectKitError(unknownProvider, 'provider_not_registered')).toBe(true);
      expect((await kit.service.listConnections()).items).toEqual([]);
    });

    it('is idempotent for the same host user and refuses another host user', async () => {
      kit = make();
      const first = await connected(kit);
      const again = await kit.service.registerConnection({
        provider: 'example',
        hostUserId: 'user_1',
        upstreamId: 'acc_1',
      });
      expect(again).toEqual(first);
      const error = await rejection(
        kit.service.registerConnection({ provider: 'example', hostUserId: 'user_2', upstreamId: 'acc_1' }),
      );
      expect(isReconnectKitError(error, 'invalid_input')).toBe(true);
    });

    it('lists broken connections page by page', async () => {
      kit = make();
      for (let i = 0; i < 5; i += 1) {
        await connected(kit, `acc_${i}`);
        await kit.clock.advance(1); // list order is (createdAt, id)
      }
      for (const i of [1, 3, 4]) {
        await kit.ingest([statusEvent(kit, `evt_${i}`, 'login_required', 0, `acc_${i}`)]);
      }
      const first = await kit.service.listConnections({ states: ['needs_reauth'], limit: 2 });
      const second = await kit.service.listConnections({
        states: ['needs_reauth'],
        limit: 2,
        cursor: first.nextCursor,
      });
      expect([...first.items, ...second.items].map((c) => c.upstreamId)).toEqual(['acc_1', 'acc_3', 'acc_4']);
      expect(second.nextCursor).toBeUndefined();
      const error = await rejection(kit.service.listConnections({ states: ['nope' as never] }));
      expect(isReconnectKitError(error, 'invalid_input')).toBe(true);
    });

    it('skips vendor calls the provider cannot make: status polling, upstream revocation', async () => {
      kit = make();
      const connection = await connected(kit);
      Object.assign(kit.provider, {
        capabilities: { ...kit.provider.capabilities, statusPolling: false, revocation: false },
      });
      kit.vendor.setStatus('acc_1', 'outage');
      expect((await kit.service.checkStatus(connection.id)).state).toBe('connected');
      expect(await kit.service.sweep({ states: ['connected'] })).toMatchObject({ checked: 0, skipped: 1 });
      expect((await kit.service.revoke(connection.id)).state).toBe('disconnected');
      expect(kit.vendor.calls).toEqual([]);
    });

    it('does not call the vendor to check a terminal connection', async () => {
      kit = make();
      const connection = await connected(kit);
      await kit.service.revoke(connection.id);
      await kit.service.checkStatus(connection.id);
      expect(kit.vendor.calls.map((c) => c.method)).toEqual(['revoke']);
    });
  });

  describe('ReconnectionService: status sweeps', () => {
    async function brokenMany(k: ExampleKit, count: number) {
      for (let i = 0; i < count; i += 1) {
        await connected(k, `acc_${i}`);
        await k.ingest([statusEvent(k, `evt_${i}`, 'outage', 0, `acc_${i}`)]);
        k.vendor.setStatus(`acc_${i}`, 'active');
      }
      await k.clock.advance(1000);
    }

    it('re-checks waiting connections with bounded concurrency', async () => {
      kit = make();
      await brokenMany(kit, 7);
      await connected(kit, 'acc_healthy');
      let inFlight = 0;
      let maxInFlight = 0;
      const fetchStatus = kit.provider.fetchStatus.bind(kit.provider);
      kit.provider.fetchStatus = async (connection) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await kit.clock.sleep(500); // vendor latency, on the test clock
        inFlight -= 1;
        return fetchStatus(connection);
      };
      const result = await drive(kit.clock, kit.service.sweep({ concurrency: 3, ratePerSecond: 50 }));
      expect(result).toEqual({
        checked: 7,
        changed: 7,
        failed: 0,
        skipped: 0,
        total: 7,
        rateLimitPauses: 0,
        rateLimitedProviders: [],
        aborted: false,
      });
      expect(maxInFlight).toBe(3);
      expect(
        kit.vendor.calls.filter((c) => c.method === 'fetchStatus').map((c) => c.accountId),
      ).not.toContain('acc_healthy');
      expect((await kit.service.listConnections({ states: ['degraded'] })).items).toEqual([]);
    });

    it('pauses the whole sweep when a provider rate limits, then checks that connection again', async () => {
      kit = make();
      await brokenMany(kit, 4);
      kit.vendor.failNext(
        'fetchStatus',
        new ReconnectKitError('upstream_rate_limited', { details: { retryAfterMs: 20_000 } }),
      );
      const started = kit.clock.now().getTime();
      const result = await drive(kit.clock, kit.service.sweep({ concurrency: 1 }), 50);
      expect(result).toMatchObject({ checked: 4, changed: 4, rateLimitPauses: 1, rateLimitedProviders: [] });
      expect(kit.vendor.calls.filter((c) => c.method === 'fetchStatus')).toHaveLength(5);
      expect(kit.clock.now().getTime() - started).toBeGreaterThanOrEqual(20_000);
    });
  });
  describe('ReconnectionService: retention', () => {
    const DAY = 24 * 60 * 60 * 1000;

    it('prunes delivered events, dedupe records and journal entries older than the given ages', async () => {
      kit = make();
      await connected(kit);
      await kit.ingest([statusEvent(kit, 'evt_old', 'login_required')]);
      await kit.ingest([statusEvent(kit, 'evt_old', 'login_required')]); // a duplicate: dedupe holds
      await kit.ingest([{ ...statusEvent(kit, 'evt_unknown', 'active'), account_id: 'acc_nobody' }]);
      kit.service.subscribe(() => undefined);
      const delivered = await kit.service.deliverOutbox();
      expect(delivered).toBeGreaterThan(0);
      await kit.clock.advance(2 * DAY);
      await kit.ingest([statusEvent(kit, 'evt_new', 'active')]);
      const pending = await kit.store.listOutbox({ status: 'pending' });

      const result = await kit.service.pruneHistory({
        deliveredEventsOlderThanMs: DAY,
        inboundEventsOlderThanMs: DAY,
        ignoredSignalsOlderThanMs: DAY,
        batchSize: 1,
      });
      expect(result).toEqual({ deliveredEvents: delivered, inboundEvents: 2, ignoredSignals: 1 });
      expect(await kit.store.listOutbox({})).toEqual(pending);
      expect(await kit.store.listIgnoredSignals({})).toEqual([]);
      // The pruned dedupe record is gone, the recent one stays.
      expect(await kit.store.recordInboundEvent('example', 'evt_old', kit.clock.now())).toBe(true);
      expect(await kit.store.recordInboundEvent('example', 'evt_new', kit.clock.now())).toBe(false);
    });

    it('prunes only the kinds it is given, and keeps what is younger', async () => {
      kit = make();
      await connected(kit);
      await kit.ingest([statusEvent(kit, 'evt_1', 'login_required')]);
      kit.service.subscribe(() => undefined);
      await kit.service.deliverOutbox();
      await kit.clock.advance(DAY);
      expect(await kit.service.pruneHistory({ deliveredEventsOlderThanMs: 2 * DAY })).toEqual({
        deliveredEvents: 0,
        inboundEvents: 0,
        ignoredSignals: 0,
      });
      const outbox = (await kit.store.listOutbox({})).length;
      expect(await kit.service.pruneHistory({ deliveredEventsOlderThanMs: 0 })).toEqual({
        deliveredEvents: outbox,
        inboundEvents: 0,
        ignoredSignals: 0,
      });
      expect(await kit.store.recordInboundEvent('example', 'evt_1', kit.clock.now())).toBe(false);
    });

    it('rejects a dedupe age under one day and an empty request, deleting nothing', async () => {
      kit = make();
      await connected(kit);
      await kit.ingest([statusEvent(kit, 'evt_1', 'login_required')]);
      const tooShort = kit.service.pruneHistory({ inboundEventsOlderThanMs: 60_000 });
      await expect(tooShort).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(tooShort).rejects.toThrow('inboundEventsOlderThanMs');
      await expect(kit.service.pruneHistory({})).rejects.toMatchObject({ code: 'invalid_input' });
      expect(await kit.store.recordInboundEvent('example', 'evt_1', kit.clock.now())).toBe(false);
    });
  });
});
