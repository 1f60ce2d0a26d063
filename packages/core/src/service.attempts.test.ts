import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { rejection } from './error-code.test-helpers.js';
import { isReconnectKitError } from './errors.js';
import { registerExampleAccount, secondServiceInstance } from './kit.test-helpers.js';
import { MemoryConnectionStore } from './store/memory.js';
import type { ConnectionStoreOps } from './store/port.js';
import type { ExampleKitOptions, ExampleWebhookEvent } from './testing/index.js';
import { createExampleKit, type ExampleKit } from './testing/index.js';
import type { ConnectionEvent } from './types.js';

const TTL = 30 * 60 * 1000;

/** A memory store whose transactions cannot end reconnect attempts while `failExpiry` is set. */
class ExpiryFailingStore extends MemoryConnectionStore {
  failExpiry = false;

  override transaction<T>(fn: (tx: ConnectionStoreOps) => Promise<T>): Promise<T> {
    return super.transaction((tx) => {
      if (!this.failExpiry) return fn(tx);
      const failing = new Proxy(tx, {
        get: (target, property) => {
          if (property === 'endReconnectAttempt') return () => Promise.reject(new Error('disk full'));
          const value = Reflect.get(target, property);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      return fn(failing);
    });
  }
}
const STORES: readonly NonNullable<ExampleKitOptions['store']>[] = [
  { kind: 'memory' },
  { kind: 'sqlite', path: ':memory:' },
];

describe.each(STORES)('reconnect attempts on the $kind store', (store) => {
  let kit: ExampleKit;
  afterEach(async () => {
    await kit?.service.stopDispatcher();
    await kit?.store.close();
  });

  async function register(k: ExampleKit, id = 'acc_1') {
    return registerExampleAccount(k, { account: id, token: `tok_${id}` });
  }

  function statusEvent(k: ExampleKit, id: string, status: ExampleWebhookEvent['status'], account = 'acc_1') {
    return {
      id,
      type: 'account.status',
      account_id: account,
      owner_id: 'owner_1',
      status,
      occurred_at: k.clock.now().toISOString(),
    } satisfies ExampleWebhookEvent;
  }

  /** A connection in `needs_reauth` (the example vendor's `login_required`). */
  async function broken(k: ExampleKit, id = 'acc_1') {
    const connection = await register(k, id);
    k.vendor.setStatus(id, 'login_required');
    await k.ingest([statusEvent(k, `evt_break_${id}`, 'login_required', id)]);
    return k.store.getConnection(connection.id).then((c) => c ?? connection);
  }

  async function start(k: ExampleKit, connectionId: string, sessionBinding?: string) {
    const { action } = await k.service.startReconnection(connectionId, { sessionBinding });
    return (action as { state: string }).state;
  }

  async function events(k: ExampleKit, connectionId: string): Promise<ConnectionEvent[]> {
    return (await k.store.listOutbox({ limit: 500 }))
      .map((entry) => entry.event)
      .filter((event) => event.connectionId === connectionId);
  }

  /** Everything a refused completion must leave as it was. */
  async function snapshot(k: ExampleKit, connectionId: string) {
    return {
      connection: await k.store.getConnection(connectionId),
      secrets: await k.store.getSecrets(connectionId),
      outbox: (await k.store.listOutbox({ limit: 500 })).length,
      exchanges: k.vendor.exchangeCount(),
    };
  }

  describe('single use', () => {
    it('a state that completed is refused with state_used and changes nothing', async () => {
      kit = createExampleKit({ store });
      const connection = await broken(kit);
      const state = await start(kit, connection.id);
      kit.vendor.issueCode('code_1', { accountId: 'acc_1', ownerId: 'owner_1', token: 'tok_new' });
      expect((await kit.service.completeReconnection({ state, code: 'code_1' })).outcome).toBe('recovered');
      kit.vendor.issueCode('code_2', { accountId: 'acc_1', ownerId: 'owner_1', token: 'tok_newer' });
      const before = await snapshot(kit, connection.id);
      const error = await rejection(kit.service.completeReconnection({ state, code: 'code_2' }));
      expect(error).toMatchObject({ code: 'state_used', status: 409, details: { outcome: 'recovered' } });
      expect(await snapshot(kit, connection.id)).toEqual(before);
    });

    it('a state whose completion failed is used too', async () => {
      kit = createExampleKit({ store });
      const connection = await broken(kit);
      const state = await start(kit, connection.id);
      kit.vendor.issueCode('code_1', {
        accountId: 'acc_1',
        ownerId: 'owner_1',
        token: 'tok_new',
        status: 'password_expired',
      });
      expect((await kit.service.completeReconnection({ state, code: 'code_1' })).outcome).toBe('failed');
      const before = await snapshot(kit, connection.id);
      const error = await rejection(kit.service.completeReconnection({ state, code: 'code_1' }));
      expect(error).toMatchObject({ code: 'state_used', details: { outcome: 'failed' } });
      expect(await snapshot(kit, connection.id)).toEqual(before);
    });

    it('a pending completion leaves the state usable (the vendor has not decided yet)', async () => {
      kit = createExampleKit({ store });
      const connection = await broken(kit);
      const state = await start(kit, connection.id);
      kit.vendor.issueCode('code_1', {
        accountId: 'acc_1',
        ownerId: 'owner_1',
        token: 'tok_new',
        status: 'linking',
      });
      expect((await kit.service.completeReconnection({ state, code: 'code_1' })).outcome).toBe('pending');
      kit.vendor.issueCode('code_2', { accountId: 'acc_1', ownerId: 'owner_1', token: 'tok_new' });
      expect((await kit.service.completeReconnection({ state, code: 'code_2' })).outcome).toBe('recovered');
    });
  });

  describe('supersede', () => {
    it('a newer start supersedes the older state: state_superseded, nothing changes; the newest completes', async () => {
      kit = createExampleKit({ store });
      const connection = await broken(kit);
      const older = await start(kit, connection.id);
      await kit.clock.advance(1_000);
      const newer = await start(kit, connection.id);
      kit.vendor.issueCode('code_1', { accountId: 'acc_1', ownerId: 'owner_1', token: 'tok_new' });
      const before = await snapshot(kit, connection.id);
      const error = await rejection(kit.service.completeReconnection({ state: older, code: 'code_1' }));
      expect(error).toMatchObject({ code: 'state_superseded', status: 409 });
      expect(await snapshot(kit, connection.id)).toEqual(before);
      expect((await kit.service.completeReconnection({ state: newer, code: 'code_1' })).outcome).toBe(
        'recovered',
      );
    });

    it("supersedes only the same connection's states", async () => {
      kit = createExampleKit({ store });
      const first = await broken(kit, 'acc_1');
      const second = await broken(kit, 'acc_2');
      const state = await start(kit, first.id);
      await start(kit, second.id);
      kit.vendor.issueCode('code_1', { accountId: 'acc_1', ownerId: 'owner_1', token: 'tok_new' });
      expect((await kit.service.completeReconnection({ state, code: 'code_1' })).outcome).toBe('recovered');
    });
  });

  describe('session binding', () => {
    it('a bound state completes only with the same binding; a mismatch changes nothing', async () => {
      kit = createExampleKit({ store });
      const connection = await broken(kit);
      const state = await start(kit, connection.id, 'browser-session-1');
      kit.vendor.issueCode('code_1', { accountId: 'acc_1', ownerId: 'owner_1', token: 'tok_new' });
      const before = await snapshot(kit, connection.id);
      for (const sessionBinding of [undefined, 'browser-session-2']) {
        const error = await rejection(
          kit.service.completeReconnection({ state, code: 'code_1' }, { sessionBinding }),
        );
        expect(error).toMatchObject({ code: 'state_session_mismatch', status: 403 });
      }
      expect(await snapshot(kit, connection.id)).toEqual(before);
      const outcome = await kit.service.completeReconnection(
        { state, code: 'code_1' },
        { sessionBinding: 'browser-session-1' },
      );
      expect(outcome.outcome).toBe('recovered');
    });

    it('an empty binding is refused at start', async () => {
      kit = createExampleKit({ store });
      const connection = await broken(kit);
      const error = await rejection(kit.service.startReconnection(connection.id, { sessionBinding: '' }));
      expect(isReconnectKitError(error, 'invalid_input')).toBe(true);
      expect(error).toMatchObject({ details: { field: 'sessionBinding' } });
      expect((await kit.service.getConnection(connection.id)).state).toBe('needs_reauth');
    });
  });

  describe('abandonReconnection (the vendor widget reported closing)', () => {
    it('takes the connection back at once; the state is over, and the user can start again', async () => {
      kit = createExampleKit({ store });
      const connection = await broken(kit);
      const problemState = await kit.service.getConnection(connection.id);
      const state = await start(kit, connection.id);
      const back = await kit.service.abandonReconnection(state);
      expect(back).toMatchObject({ state: 'needs_reauth', problem: problemState.problem });
      const abandoned = (await events(kit, connection.id)).filter(
        (event) => event.type === 'connection.reconnect_abandoned',
      );
      expect(abandoned).toMatchObject([
        { from: 'reconnecting', to: 'needs_reauth', data: { reason: 'abandoned' } },
      ]);
      const before = await snapshot(kit, connection.id);
      for (const again of [
        kit.service.abandonReconnection(state),
        kit.service.completeReconnection({ state, code: 'c' }),
      ]) {
        expect(await rejection(again)).toMatchObject({ code: 'state_expired' });
      }
      expect(await snapshot(kit, connection.id)).toEqual(before);
      const next = await start(kit, connection.id);
      kit.vendor.issueCode('code_1', { accountId: 'acc_1', ownerId: 'owner_1', token: 'tok_new' });
      expect((await kit.service.completeReconnection({ state: next, code: 'code_1' })).outcome).toBe(
        'recovered',
      );
    });

    it('is refused like a callback for used, superseded and other-session states, changing nothing', async () => {
      kit = createExampleKit({ store });
      const connection = await broken(kit);
      const older = await start(kit, connection.id);
      const bound = await start(kit, connection.id, 'browser-a');
      const before = await snapshot(kit, connection.id);
      expect(await rejection(kit.service.abandonReconnection(older))).toMatchObject({
        code: 'state_superseded',
      });
      expect(
        await rejection(kit.service.abandonReconnection(bound, { sessionBinding: 'browser-b' })),
      ).toMatchObject({ code: 'state_session_mismatch' });
      expect(await snapshot(kit, connection.id)).toEqual(before);
      kit.vendor.issueCode('code_1', { accountId: 'acc_1', ownerId: 'owner_1', token: 'tok_new' });
      await kit.service.completeReconnection(
        { state: bound, code: 'code_1' },
        { sessionBinding: 'browser-a' },
      );
      expect(
        await rejection(kit.service.abandonReconnection(bound, { sessionBinding: 'browser-a' })),
      ).toMatchObject({ code: 'state_used' });
      expect((await kit.service.getConnection(connection.id)).state).toBe('connected');
    });
  });

  describe('lifetime', () => {
    it('after the state expires, a read returns the previous problem state with reconnect_abandoned', async () => {
      kit = createExampleKit({ store });
      const connection = await broken(kit);
      const problemState = await kit.service.getConnection(connection.id);
      const state = await start(kit, connection.id);
      // The vendor reports the flow under way: the vendor status changes while reconnecting.
      await kit.ingest([statusEvent(kit, 'evt_linking', 'linking')]);
      expect((await kit.service.getConnection(connection.id)).vendor).toEqual({ status: 'linking' });

      await kit.clock.advance(TTL - 1);
      expect((await kit.service.getConnection(connection.id)).state).toBe('reconnecting');
      await kit.clock.advance(1);
      const back = await kit.service.getConnection(connection.id);
      expect(back).toMatchObject({
        state: 'needs_reauth',
        problem: problemState.problem,
        vendor: problemState.vendor,
      });
      const abandoned = (await events(kit, connection.id)).filter(
        (event) => event.type === 'connection.reconnect_abandoned',
      );
      expect(abandoned).toHaveLength(1);
      expect(abandoned[0]).toMatchObject({
        from: 'reconnecting',
        to: 'needs_reauth',
        cause: { kind: 'reconnect' },
        data: { reason: 'expired' },
      });
      // Reading again changes nothing more.
      expect(await kit.service.getConnection(connection.id)).toEqual(back);
      expect(await rejection(kit.service.completeReconnection({ state, code: 'c' }))).toMatchObject({
        code: 'state_expired',
      });

      // The user can start again, and the new attempt completes.
      const again = await start(kit, connection.id);
      expect((await kit.service.getConnection(connection.id)).state).toBe('reconnecting');
      kit.vendor.issueCode('code_1', { accountId: 'acc_1', ownerId: 'owner_1', token: 'tok_new' });
      expect((await kit.service.completeReconnection({ state: again, code: 'code_1' })).outcome).toBe(
        'recovered',
      );
    });

    it('does not notify the user again when an attempt is abandoned', async () => {
      const notified: string[] = [];
      kit = createExampleKit({
        store,
        notifier: { notify: async (n) => void notified.push(n.connection.id) },
      });
      const connection = await broken(kit);
      expect(notified).toEqual([connection.id]);
      await start(kit, connection.id);
      await kit.clock.advance(TTL);
      expect((await kit.service.getConnection(connection.id)).state).toBe('needs_reauth');
      expect(notified).toEqual([connection.id]);
    });

    it("a status read of the abandoned flow's leftover 'connecting' does not start a reconnect again", async () => {
      kit = createExampleKit({ store });
      const connection = await broken(kit);
      await start(kit, connection.id);
      // The user got as far as the vendor's flow (the vendor says so), then left.
      kit.vendor.setStatus('acc_1', 'linking');
      await kit.ingest([statusEvent(kit, 'evt_linking', 'linking')]);
      await kit.clock.advance(TTL);
      expect((await kit.service.getConnection(connection.id)).state).toBe('needs_reauth');
      // The vendor still reports the account as connecting: a standing status, not a new start.
      const checked = await kit.service.checkStatus(connection.id);
      expect(checked).toMatchObject({ state: 'needs_reauth', vendor: { status: 'linking' } });
      await kit.service.sweep();
      expect((await kit.service.getConnection(connection.id)).state).toBe('needs_reauth');
      // A webhook saying the user is connecting again is news: the vendor-side reconnect is followed.
      await kit.clock.advance(1_000);
      await kit.ingest([statusEvent(kit, 'evt_linking_again', 'linking')]);
      expect((await kit.service.getConnection(connection.id)).state).toBe('reconnecting');
    });

    it('a start, a status check and a listing each take an expired attempt back first', async () => {
      kit = createExampleKit({ store });
      const [a, b, c] = [await broken(kit, 'acc_1'), await broken(kit, 'acc_2'), await broken(kit, 'acc_3')];
      for (const connection of [a, b, c]) await start(kit, connection.id);
      await kit.clock.advance(TTL);

      // A new start from the expired attempt: abandoned first, so the new attempt returns to needs_reauth too.
      await start(kit, a.id);
      expect((await events(kit, a.id)).map((event) => event.type)).toContain(
        'connection.reconnect_abandoned',
      );

      expect((await kit.service.checkStatus(b.id)).state).toBe('needs_reauth');

      const page = await kit.service.listConnections({ states: ['reconnecting'] });
      expect(page.items.map((connection) => connection.id)).toEqual([a.id]);
      expect((await kit.store.getConnection(c.id))?.state).toBe('needs_reauth');
    });

    it("a newer start's state sets the lifetime (the superseded one's expiry changes nothing)", async () => {
      kit = createExampleKit({ store });
      const connection = await broken(kit);
      await start(kit, connection.id);
      await kit.clock.advance(20 * 60 * 1000);
      await start(kit, connection.id);
      await kit.clock.advance(15 * 60 * 1000);
      // The first attempt expired, but the newer one still runs.
      expect((await kit.service.getConnection(connection.id)).state).toBe('reconnecting');
      await kit.clock.advance(15 * 60 * 1000);
      expect((await kit.service.getConnection(connection.id)).state).toBe('needs_reauth');
      const types = (await events(kit, connection.id)).map((event) => event.type);
      expect(types.filter((type) => type === 'connection.reconnect_abandoned')).toHaveLength(1);
    });

    it('reconnecting lasts while any attempt of the connection still lives', async () => {
      kit = createExampleKit({
        store,
        options: { notifications: { providers: { example: { includeAction: true } } } },
      });
      const connection = await broken(kit);
      await start(kit, connection.id);
      // Broken again mid-flow: the notification carries its own attempt (it supersedes nothing), and the user
      // follows it into the vendor flow.
      await kit.clock.advance(10 * 60 * 1000);
      await kit.ingest([statusEvent(kit, 'evt_again', 'login_required')]);
      await kit.clock.advance(10 * 60 * 1000);
      await kit.ingest([statusEvent(kit, 'evt_linking', 'linking')]);
      expect((await kit.service.getConnection(connection.id)).state).toBe('reconnecting');
      // The start's state expired, the notification's has 10 minutes left.
      await kit.clock.advance(10 * 60 * 1000);
      expect((await kit.service.getConnection(connection.id)).state).toBe('reconnecting');
      await kit.clock.advance(10 * 60 * 1000);
      expect((await kit.service.getConnection(connection.id)).state).toBe('needs_reauth');
    });

    it('goes back to the state a reconnect started from, even a healthy one (no recovery is claimed)', async () => {
      kit = createExampleKit({ store });
      const connection = await register(kit);
      await start(kit, connection.id);
      await kit.clock.advance(TTL);
      expect((await kit.service.getConnection(connection.id)).state).toBe('connected');
      const types = (await events(kit, connection.id)).map((event) => event.type);
      expect(types).toContain('connection.reconnect_abandoned');
      expect(types).not.toContain('connection.recovered');
    });

    it('an attempt the vendor settled meanwhile expires without touching the connection', async () => {
      kit = createExampleKit({ store });
      const connection = await broken(kit);
      await start(kit, connection.id);
      kit.vendor.setStatus('acc_1', 'active');
      await kit.ingest([statusEvent(kit, 'evt_ok', 'active')]);
      await kit.clock.advance(TTL);
      expect(await kit.service.expireReconnectAttempts()).toEqual({ expired: 1, abandoned: 0 });
      expect((await kit.service.getConnection(connection.id)).state).toBe('connected');
    });

    it('expireReconnectAttempts ends every expired attempt in bulk, once', async () => {
      kit = createExampleKit({ store });
      const connections = [
        await broken(kit, 'acc_1'),
        await broken(kit, 'acc_2'),
        await broken(kit, 'acc_3'),
      ];
      for (const connection of connections) await start(kit, connection.id);
      await kit.clock.advance(TTL);
      expect(await kit.service.expireReconnectAttempts({ batchSize: 2 })).toEqual({
        expired: 3,
        abandoned: 3,
      });
      expect(await kit.service.expireReconnectAttempts()).toEqual({ expired: 0, abandoned: 0 });
      for (const connection of connections) {
        expect((await kit.store.getConnection(connection.id))?.state).toBe('needs_reauth');
      }
    });

    it('two service instances expiring at once abandon each connection exactly once', async () => {
      kit = createExampleKit({ store });
      const connections = [await broken(kit, 'acc_1'), await broken(kit, 'acc_2')];
      for (const connection of connections) await start(kit, connection.id);
      const second = secondServiceInstance(kit);
      await kit.clock.advance(TTL);
      const [first, other] = await Promise.all([
        kit.service.expireReconnectAttempts(),
        second.expireReconnectAttempts(),
      ]);
      // Both listed the same attempts; each was ended by exactly one of them.
      expect(first.expired + other.expired).toBe(connections.length);
      expect(first.abandoned + other.abandoned).toBe(connections.length);
      for (const connection of connections) {
        const types = (await events(kit, connection.id)).map((event) => event.type);
        expect(types.filter((type) => type === 'connection.reconnect_abandoned')).toHaveLength(1);
      }
    });

    it('the dispatcher loop expires attempts without any read or host job', async () => {
      kit = createExampleKit({ store, options: { attemptExpiryIntervalMs: 60_000 } });
      const connection = await broken(kit);
      await start(kit, connection.id);
      kit.service.startDispatcher();
      await kit.clock.advance(TTL);
      expect((await kit.store.getConnection(connection.id))?.state).toBe('reconnecting');
      await kit.clock.advance(60_000);
      await new Promise((resolve) => setImmediate(resolve));
      expect((await kit.store.getConnection(connection.id))?.state).toBe('needs_reauth');
    });

    it('a read still answers when ending the attempt fails, and a later read ends it', async () => {
      const failing = new ExpiryFailingStore();
      kit = createExampleKit({ store: failing });
      const connection = await broken(kit);
      await start(kit, connection.id);
      await kit.clock.advance(TTL);
      failing.failExpiry = true;
      expect((await kit.service.getConnection(connection.id)).state).toBe('reconnecting');
      failing.failExpiry = false;
      expect((await kit.service.getConnection(connection.id)).state).toBe('needs_reauth');
    });

    it('a sweep expires attempts first', async () => {
      kit = createExampleKit({ store });
      const connection = await broken(kit);
      await start(kit, connection.id);
      await kit.clock.advance(TTL);
      await kit.service.sweep({ states: ['degraded'] });
      expect((await kit.store.getConnection(connection.id))?.state).toBe('needs_reauth');
    });
  });
});
