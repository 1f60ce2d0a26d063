import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isReconnectKitError, type ReconnectKitErrorCode } from '../errors.js';
import type { CompletionOutcome, Connection } from '../service-api.js';
import type { ConnectionStore } from '../store/port.js';
import type { ConnectionEvent, ConnectionState } from '../types.js';

/**
 * The shared contract suite for `ConnectionStore` implementations. Call it from a vitest file:
 *
 *   describeConnectionStoreSuite('PostgresConnectionStore', async () => {
 *     const store = await PostgresConnectionStore.connect(...);
 *     return { store, cleanup: () => store.close() };
 *   });
 *
 * Every test gets a fresh, empty store from `createStore` and calls `cleanup` afterwards.
 */
export function describeConnectionStoreSuite(
  name: string,
  createStore: () => Promise<{ store: ConnectionStore; cleanup: () => Promise<void> }>,
): void {
  describe(`ConnectionStore contract: ${name}`, () => {
    let store: ConnectionStore;
    let cleanup: () => Promise<void>;
    let sequence = 0;

    beforeEach(async () => {
      ({ store, cleanup } = await createStore());
      sequence = 0;
    });
    afterEach(async () => {
      await cleanup();
    });

    const T0 = Date.parse('2026-03-01T00:00:00.000Z');
    const at = (ms: number) => new Date(T0 + ms);

    function connection(overrides: Partial<Connection> = {}): Connection {
      sequence += 1;
      const createdAt = at(sequence * 1000).toISOString();
      return {
        id: `conn_${String(sequence).padStart(4, '0')}`,
        provider: 'example',
        hostUserId: 'user_1',
        upstreamId: `acc_${sequence}`,
        upstreamParentId: 'owner_1',
        metadata: { plan: 'basic' },
        state: 'connected',
        vendor: { status: 'active', code: null },
        createdAt,
        updatedAt: createdAt,
        stateChangedAt: createdAt,
        version: 1,
        ...overrides,
      };
    }

    function event(id: string, connectionId = 'conn_0001'): ConnectionEvent {
      return {
        id,
        type: 'connection.state_changed',
        connectionId,
        provider: 'example',
        hostUserId: 'user_1',
        from: 'connected',
        to: 'needs_reauth',
        occurredAt: at(0).toISOString(),
        cause: { kind: 'webhook', ref: `wh_${id}` },
        data: { version: 2 },
      };
    }

    async function errorCode(promise: Promise<unknown>): Promise<ReconnectKitErrorCode | 'none' | 'other'> {
      try {
        await promise;
        return 'none';
      } catch (error) {
        return isReconnectKitError(error) ? error.code : 'other';
      }
    }

    describe('connections', () => {
      it('inserts and reads back an equal copy', async () => {
        const c = connection({ previousConnectionId: 'conn_old', lastSignalAt: at(5).toISOString() });
        await store.insertConnection(c);
        const read = await store.getConnection(c.id);
        expect(read).toEqual(c);
        (read as { state: ConnectionState }).state = 'revoked';
        expect((await store.getConnection(c.id))?.state).toBe('connected');
        expect(await store.getConnection('conn_missing')).toBeUndefined();
      });

      it('rejects a duplicate id and a second live connection for one upstream id', async () => {
        const c = connection();
        await store.insertConnection(c);
        expect(await errorCode(store.insertConnection({ ...c, upstreamId: 'acc_other' }))).toBe(
          'store_conflict',
        );
        expect(await errorCode(store.insertConnection(connection({ upstreamId: c.upstreamId })))).toBe(
          'store_conflict',
        );
        expect(
          await errorCode(
            store.insertConnection(connection({ upstreamId: c.upstreamId, provider: 'other' })),
          ),
        ).toBe('none');
      });

      it('allows a new live connection for an upstream id whose old connection is terminal', async () => {
        const old = connection({ upstreamId: 'acc_x', state: 'revoked' });
        await store.insertConnection(old);
        const fresh = connection({ upstreamId: 'acc_x' });
        await store.insertConnection(fresh);
        expect((await store.findByUpstream('example', 'acc_x'))?.id).toBe(fresh.id);
        await store.updateConnection({ ...fresh, state: 'disconnected', version: 2 }, 1);
        expect((await store.findByUpstream('example', 'acc_x'))?.id).toBe(fresh.id);
        expect(await store.findByUpstream('example', 'acc_none')).toBeUndefined();
        expect(await store.findByUpstream('other', 'acc_x')).toBeUndefined();
      });

      it('finds the latest connection under a parent in the given states', async () => {
        const a = connection({ upstreamParentId: 'owner_9', state: 'revoked' });
        const b = connection({ upstreamParentId: 'owner_9', state: 'revoked' });
        const c = connection({ upstreamParentId: 'owner_9', state: 'connected' });
        for (const x of [a, b, c]) await store.insertConnection(x);
        expect((await store.findLatestByUpstreamParent('example', 'owner_9', ['revoked']))?.id).toBe(b.id);
        expect(
          (await store.findLatestByUpstreamParent('example', 'owner_9', ['connected', 'revoked']))?.id,
        ).toBe(c.id);
        expect(await store.findLatestByUpstreamParent('example', 'owner_9', ['pending'])).toBeUndefined();
        expect(await store.findLatestByUpstreamParent('other', 'owner_9', ['revoked'])).toBeUndefined();
      });

      it('updates only with the expected version', async () => {
        const c = connection();
        await store.insertConnection(c);
        const next = { ...c, state: 'needs_reauth' as const, version: 2 };
        await store.updateConnection(next, 1);
        expect(await store.getConnection(c.id)).toEqual(next);
        expect(await errorCode(store.updateConnection({ ...c, state: 'degraded', version: 2 }, 1))).toBe(
          'store_conflict',
        );
        expect(await errorCode(store.updateConnection({ ...next, version: 4 }, 2))).toBe('store_conflict');
        expect(await errorCode(store.updateConnection({ ...c, id: 'conn_missing', version: 2 }, 1))).toBe(
          'connection_not_found',
        );
        expect((await store.getConnection(c.id))?.version).toBe(2);
      });

      it('lets exactly one of two concurrent updates from the same version win', async () => {
        const c = connection();
        await store.insertConnection(c);
        const results = await Promise.all(
          (['needs_reauth', 'degraded'] as const).map((state) =>
            errorCode(store.updateConnection({ ...c, state, version: 2 }, 1)),
          ),
        );
        expect(results.sort()).toEqual(['none', 'store_conflict']);
      });

      it('rejects an update that would make two live connections share an upstream id', async () => {
        const a = connection({ upstreamId: 'acc_same', state: 'revoked' });
        const b = connection({ upstreamId: 'acc_same' });
        await store.insertConnection(a);
        await store.insertConnection(b);
        expect(await errorCode(store.updateConnection({ ...a, state: 'connected', version: 2 }, 1))).toBe(
          'store_conflict',
        );
      });
    });

    describe('listing', () => {
      async function seed(): Promise<Connection[]> {
        const all: Connection[] = [];
        for (let i = 0; i < 23; i += 1) {
          const c = connection({
            provider: i % 3 === 0 ? 'other' : 'example',
            hostUserId: i % 2 === 0 ? 'user_a' : 'user_b',
            state: (['connected', 'needs_reauth', 'degraded', 'revoked'] as const)[i % 4],
            // Pairs share a createdAt, so the id tiebreak is exercised.
            createdAt: at(Math.floor(i / 2) * 1000).toISOString(),
          });
          all.push(c);
          await store.insertConnection(c);
        }
        return all;
      }

      async function pageThrough(query: Parameters<ConnectionStore['listConnections']>[0]) {
        const ids: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 100; pages += 1) {
          const page = await store.listConnections({ ...query, cursor });
          ids.push(...page.items.map((c) => c.id));
          if (!page.nextCursor) return ids;
          cursor = page.nextCursor;
        }
        throw new Error('pagination did not end');
      }

      const order = (a: Connection, b: Connection) =>
        a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1;

      it('pages through everything in (createdAt, id) order without gaps or duplicates', async () => {
        const all = await seed();
        expect(await pageThrough({ limit: 4 })).toEqual([...all].sort(order).map((c) => c.id));
        const single = await store.listConnections({ limit: 500 });
        expect(single.items).toHaveLength(23);
        expect(single.nextCursor).toBeUndefined();
      });

      it('applies provider, states and hostUserId filters together', async () => {
        const all = await seed();
        const expected = all
          .filter(
            (c) =>
              c.provider === 'example' &&
              c.hostUserId === 'user_b' &&
              (c.state === 'needs_reauth' || c.state === 'revoked'),
          )
          .sort(order)
          .map((c) => c.id);
        expect(expected.length).toBeGreaterThan(1);
        expect(
          await pageThrough({
            provider: 'example',
            hostUserId: 'user_b',
            states: ['needs_reauth', 'revoked'],
            limit: 1,
          }),
        ).toEqual(expected);
        expect((await store.listConnections({ states: [] })).items).toEqual([]);
      });

      it('neither skips nor repeats existing rows while rows are inserted during paging', async () => {
        const all = await seed();
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listConnections({ limit: 5, cursor });
          seen.push(...page.items.map((c) => c.id));
          await store.insertConnection(connection({ createdAt: at(-1000).toISOString() }));
          await store.insertConnection(connection({ createdAt: at(99_000_000).toISOString() }));
          cursor = page.nextCursor;
        } while (cursor);
        expect(new Set(seen).size).toBe(seen.length);
        for (const c of all) expect(seen).toContain(c.id);
      });

      it('rejects a malformed cursor and an out-of-range limit', async () => {
        expect(await errorCode(store.listConnections({ cursor: 'not-a-cursor' }))).toBe('invalid_input');
        expect(await errorCode(store.listConnections({ limit: 0 }))).toBe('invalid_input');
        expect(await errorCode(store.listConnections({ limit: 501 }))).toBe('invalid_input');
      });
    });

    describe('inbound dedupe', () => {
      it('records a (provider, event id) pair once', async () => {
        expect(await store.recordInboundEvent('example', 'evt_1', at(0))).toBe(true);
        expect(await store.recordInboundEvent('example', 'evt_1', at(1))).toBe(false);
        expect(await store.recordInboundEvent('other', 'evt_1', at(0))).toBe(true);
      });

      it('gives exactly one true to 20 concurrent transactions recording the same pair', async () => {
        const results = await Promise.all(
          Array.from({ length: 20 }, () =>
            store.transaction(async (tx) => {
              const first = await tx.recordInboundEvent('example', 'evt_race', at(0));
              if (first) await tx.appendOutbox([event('evt_out_race')], at(0));
              return first;
            }),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store.listOutbox({})).toHaveLength(1);
      });

      it('frees the pair again when the recording transaction rolls back', async () => {
        await expect(
          store.transaction(async (tx) => {
            await tx.recordInboundEvent('example', 'evt_rb', at(0));
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await store.recordInboundEvent('example', 'evt_rb', at(0))).toBe(true);
      });
    });

    describe('transactions', () => {
      it('commits every write together and reads its own writes', async () => {
        const c = connection();
        const seen = await store.transaction(async (tx) => {
          await tx.insertConnection(c);
          await tx.putSecrets(c.id, 'sealed-1');
          await tx.appendOutbox([event('evt_tx', c.id)], at(0));
          return tx.getConnection(c.id);
        });
        expect(seen).toEqual(c);
        expect(await store.getConnection(c.id)).toEqual(c);
        expect(await store.getSecrets(c.id)).toBe('sealed-1');
      });

      it('leaves nothing behind when the function throws', async () => {
        const existing = connection();
        await store.insertConnection(existing);
        await store.putSecrets(existing.id, 'sealed-before');
        const c = connection();
        await expect(
          store.transaction(async (tx) => {
            await tx.insertConnection(c);
            await tx.updateConnection({ ...existing, state: 'degraded', version: 2 }, 1);
            await tx.putSecrets(c.id, 'sealed-new');
            await tx.putSecrets(existing.id, 'sealed-after');
            await tx.deleteSecrets(existing.id);
            await tx.recordInboundEvent('example', 'evt_gone', at(0));
            await tx.recordIgnoredSignal({
              id: 'ign_gone',
              provider: 'example',
              reason: 'stale',
              recordedAt: at(0).toISOString(),
            });
            await tx.appendOutbox([event('evt_gone', c.id)], at(0));
            await tx.insertReconnectAttempt({
              nonce: 'nonce_gone',
              connectionId: c.id,
              provider: 'example',
              createdAt: at(0).toISOString(),
              expiresAt: at(60_000).toISOString(),
            });
            throw new Error('rollback');
          }),
        ).rejects.toThrow('rollback');
        expect(await store.getConnection(c.id)).toBeUndefined();
        expect(await store.getConnection(existing.id)).toEqual(existing);
        expect(await store.getSecrets(c.id)).toBeUndefined();
        expect(await store.getSecrets(existing.id)).toBe('sealed-before');
        expect(await store.recordInboundEvent('example', 'evt_gone', at(0))).toBe(true);
        expect(await store.listIgnoredSignals({})).toEqual([]);
        expect(await store.listOutbox({})).toEqual([]);
        expect(await store.getReconnectAttempt('nonce_gone')).toBeUndefined();
      });

      it('runs concurrent transactions without losing writes', async () => {
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.transaction(async (tx) => {
              await tx.insertConnection(connection({ id: `conn_par_${i}`, upstreamId: `acc_par_${i}` }));
              await tx.appendOutbox([event(`evt_par_${i}`, `conn_par_${i}`)], at(0));
            }),
          ),
        );
        expect((await store.listConnections({ limit: 100 })).items).toHaveLength(10);
        expect(await store.listOutbox({})).toHaveLength(10);
      });
    });

    describe('ignored-signal journal', () => {
      it('lists newest first with filters and a limit', async () => {
        for (let i = 0; i < 5; i += 1) {
          await store.recordIgnoredSignal({
            id: `ign_${i}`,
            provider: i < 3 ? 'example' : 'other',
            connectionId: i % 2 === 0 ? 'conn_a' : undefined,
            upstreamId: `acc_${i}`,
            eventId: `evt_${i}`,
            vendorType: 'account.status',
            reason: 'illegal_transition',
            from: 'connected',
            to: 'pending',
            occurredAt: at(i).toISOString(),
            recordedAt: at(i).toISOString(),
          });
        }
        expect((await store.listIgnoredSignals({})).map((s) => s.id)).toEqual([
          'ign_4',
          'ign_3',
          'ign_2',
          'ign_1',
          'ign_0',
        ]);
        expect(
          (await store.listIgnoredSignals({ provider: 'example', connectionId: 'conn_a' })).map((s) => s.id),
        ).toEqual(['ign_2', 'ign_0']);
        expect(await store.listIgnoredSignals({ limit: 2 })).toHaveLength(2);
        expect((await store.listIgnoredSignals({ connectionId: 'conn_a' }))[0]).toMatchObject({
          reason: 'illegal_transition',
          from: 'connected',
          to: 'pending',
          eventId: 'evt_4',
        });
      });
    });

    describe('outbox', () => {
      const claim = (owner: string, nowMs: number, limit = 10, leaseMs = 30_000) =>
        store.claimOutbox({ now: at(nowMs), limit, leaseMs, owner });

      it('appends idempotently in order and round-trips the event', async () => {
        await store.appendOutbox([event('e1'), event('e2')], at(0));
        await store.appendOutbox([event('e1'), event('e3')], at(0));
        const entries = await store.listOutbox({});
        expect(entries.map((e) => e.event.id)).toEqual(['e1', 'e2', 'e3']);
        expect(entries[0]).toMatchObject({
          event: event('e1'),
          attempts: 0,
          nextAttemptAt: at(0).toISOString(),
        });
        expect(entries[0]?.deliveredAt).toBeUndefined();
      });

      it('claims due entries in append order with a lease that blocks other claimers', async () => {
        await store.appendOutbox([event('e1'), event('e2')], at(0));
        await store.appendOutbox([event('e_later')], at(10_000));
        const first = await claim('a', 0, 1);
        expect(first.map((e) => e.event.id)).toEqual(['e1']);
        expect(first[0]).toMatchObject({ leaseOwner: 'a', leaseUntil: at(30_000).toISOString() });
        expect((await claim('b', 1)).map((e) => e.event.id)).toEqual(['e2']);
        expect(await claim('c', 2)).toEqual([]);
        // After the lease passes, the entries are claimable again; the later one is due by then too.
        expect((await claim('c', 30_000)).map((e) => e.event.id)).toEqual(['e1', 'e_later']);
      });

      it('never hands one entry to two concurrent claimers', async () => {
        await store.appendOutbox(
          Array.from({ length: 12 }, (_, i) => event(`e${i}`)),
          at(0),
        );
        const claims = await Promise.all(['a', 'b', 'c', 'd'].map((owner) => claim(owner, 0, 5)));
        const ids = claims.flat().map((e) => e.event.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids).toHaveLength(12);
      });

      it('marks delivered only for the lease owner; delivered entries are never claimed again', async () => {
        await store.appendOutbox([event('e1')], at(0));
        await claim('a', 0);
        expect(await store.markOutboxDelivered('e1', 'b', at(1))).toBe(false);
        expect(await store.markOutboxDelivered('e1', 'a', at(1))).toBe(true);
        expect(await store.markOutboxDelivered('e1', 'a', at(2))).toBe(false);
        expect(await claim('a', 99_999_999)).toEqual([]);
        expect((await store.listOutbox({ status: 'delivered' }))[0]).toMatchObject({
          deliveredAt: at(1).toISOString(),
        });
        expect(await store.listOutbox({ status: 'pending' })).toEqual([]);
      });

      it('records a failure: attempts + 1, lease released, not due before the retry time', async () => {
        await store.appendOutbox([event('e1')], at(0));
        await claim('a', 0);
        expect(await store.markOutboxFailed('e1', 'b', { nextAttemptAt: at(5_000), error: 'X' })).toBe(false);
        expect(
          await store.markOutboxFailed('e1', 'a', { nextAttemptAt: at(5_000), error: 'HandlerError' }),
        ).toBe(true);
        const [entry] = await store.listOutbox({ status: 'pending' });
        expect(entry).toMatchObject({
          attempts: 1,
          nextAttemptAt: at(5_000).toISOString(),
          lastError: 'HandlerError',
        });
        expect(entry?.leaseOwner).toBeUndefined();
        expect(await claim('b', 4_999)).toEqual([]);
        const [again] = await claim('b', 5_000);
        expect(again).toMatchObject({ attempts: 1, leaseOwner: 'b' });
        expect(
          await store.markOutboxFailed('e1', 'b', { nextAttemptAt: at(9_000), error: 'HandlerError' }),
        ).toBe(true);
        expect((await store.listOutbox({}))[0]?.attempts).toBe(2);
      });

      it('lets an expired lease be taken over; the old owner can no longer mark it', async () => {
        await store.appendOutbox([event('e1')], at(0));
        await claim('a', 0, 10, 1_000);
        await claim('b', 1_000, 10, 1_000);
        expect(await store.markOutboxDelivered('e1', 'a', at(1_001))).toBe(false);
        expect(await store.markOutboxDelivered('e1', 'b', at(1_001))).toBe(true);
      });
    });

    describe('fleet sweep claims', () => {
      const broken: ConnectionState[] = ['needs_reauth', 'degraded'];
      const claim = (owner: string, ms: number, limit = 10, provider?: string) =>
        store.claimSweep({ now: at(ms), owner, limit, leaseMs: 10_000, states: broken, provider });
      const ids = (connections: readonly Connection[]) => connections.map((c) => c.id).sort();

      it('leases due connections in the given states; a lease blocks other claimers until it passes', async () => {
        const reauth = connection({ state: 'needs_reauth' });
        await store.insertConnection(reauth);
        await store.insertConnection(connection({ state: 'connected' }));
        const degraded = connection({ state: 'degraded' });
        await store.insertConnection(degraded);

        expect(ids(await claim('sweeper_a', 0))).toEqual([reauth.id, degraded.id]);
        expect(await claim('sweeper_b', 5_000)).toEqual([]);
        // Checked: not due again for a minute; only the holder may say so.
        expect(await store.finishSweep(reauth.id, 'sweeper_b', at(60_000))).toBe(false);
        expect(await store.finishSweep(reauth.id, 'sweeper_a', at(60_000))).toBe(true);
        // The unfinished claim comes back once its lease has passed (its sweeper died).
        expect(ids(await claim('sweeper_b', 10_000))).toEqual([degraded.id]);
        expect(await store.finishSweep(degraded.id, 'sweeper_a', at(60_000))).toBe(false);
        expect(await store.finishSweep(degraded.id, 'sweeper_b', at(70_000))).toBe(true);
        expect(await claim('sweeper_a', 59_999)).toEqual([]);
        expect(ids(await claim('sweeper_a', 60_000))).toEqual([reauth.id]);
        // Finishing at the claim time hands a connection straight back.
        expect(await store.finishSweep(reauth.id, 'sweeper_a', at(60_000))).toBe(true);
        expect(ids(await claim('sweeper_c', 60_000))).toEqual([reauth.id]);
      });

      it('claims never-checked connections first, respects the limit and the provider filter', async () => {
        const first = connection({ state: 'needs_reauth' });
        const second = connection({ state: 'needs_reauth' });
        const other = connection({ state: 'needs_reauth', provider: 'other' });
        for (const c of [first, second, other]) await store.insertConnection(c);
        expect(ids(await claim('sweeper_a', 0, 1, 'example'))).toEqual([first.id]);
        expect(await store.finishSweep(first.id, 'sweeper_a', at(1_000))).toBe(true);
        // first is due again (1 s), but second was never checked: second goes first.
        expect(ids(await claim('sweeper_a', 2_000, 1, 'example'))).toEqual([second.id]);
        expect(ids(await claim('sweeper_a', 2_000, 5, 'example'))).toEqual([first.id]);
        expect(ids(await claim('sweeper_a', 2_000, 5, 'other'))).toEqual([other.id]);
      });

      it('never hands one connection to two concurrent claimers', async () => {
        for (let i = 0; i < 20; i += 1) await store.insertConnection(connection({ state: 'degraded' }));
        const batches = await Promise.all(Array.from({ length: 5 }, (_, i) => claim(`sweeper_${i}`, 0, 6)));
        const claimed = batches.flatMap(ids);
        expect(new Set(claimed).size).toBe(claimed.length);
        const rest = await claim('sweeper_last', 0, 20);
        expect(new Set([...claimed, ...ids(rest)]).size).toBe(20);
        expect(claimed.length + rest.length).toBe(20);
      });
    });

    describe('retention (pruneHistory)', () => {
      const deliver = async (id: string, atMs: number) => {
        await store.claimOutbox({ now: at(atMs), limit: 100, leaseMs: 1_000, owner: `owner_${id}` });
        expect(await store.markOutboxDelivered(id, `owner_${id}`, at(atMs))).toBe(true);
      };

      it('deletes delivered outbox entries older than the cutoff, oldest first, never undelivered ones', async () => {
        await store.appendOutbox([event('e_old_1'), event('e_old_2'), event('e_pending')], at(0));
        await store.appendOutbox([event('e_new')], at(0));
        await deliver('e_old_1', 1_000);
        await deliver('e_old_2', 2_000);
        await deliver('e_new', 9_000);
        expect(await store.pruneHistory('delivered_events', at(5_000), 1)).toBe(1);
        expect((await store.listOutbox({})).map((entry) => entry.event.id)).toEqual([
          'e_old_2',
          'e_pending',
          'e_new',
        ]);
        expect(await store.pruneHistory('delivered_events', at(5_000), 10)).toBe(1);
        expect(await store.pruneHistory('delivered_events', at(99_000_000), 10)).toBe(1);
        expect((await store.listOutbox({})).map((entry) => entry.event.id)).toEqual(['e_pending']);
        // New entries still come after what is left.
        await store.appendOutbox([event('e_next')], at(0));
        expect((await store.listOutbox({})).map((entry) => entry.event.id)).toEqual(['e_pending', 'e_next']);
      });

      it('deletes dedupe records received before the cutoff, so those ids count as new again', async () => {
        for (const [id, ms] of [
          ['evt_a', 0],
          ['evt_b', 1_000],
          ['evt_c', 5_000],
        ] as const) {
          expect(await store.recordInboundEvent('example', id, at(ms))).toBe(true);
        }
        expect(await store.pruneHistory('inbound_events', at(2_000), 10)).toBe(2);
        expect(await store.pruneHistory('inbound_events', at(2_000), 10)).toBe(0);
        expect(await store.recordInboundEvent('example', 'evt_c', at(6_000))).toBe(false);
        expect(await store.recordInboundEvent('example', 'evt_a', at(6_000))).toBe(true);
      });

      it('deletes ignored-signal journal entries recorded before the cutoff, up to the limit', async () => {
        for (let i = 0; i < 4; i += 1) {
          await store.recordIgnoredSignal({
            id: `ign_${i}`,
            provider: 'example',
            reason: 'stale',
            recordedAt: at(i * 1_000).toISOString(),
          });
        }
        expect(await store.pruneHistory('ignored_signals', at(2_500), 2)).toBe(2);
        expect((await store.listIgnoredSignals({})).map((signal) => signal.id)).toEqual(['ign_3', 'ign_2']);
        expect(await store.pruneHistory('ignored_signals', at(2_500), 2)).toBe(1);
        expect((await store.listIgnoredSignals({})).map((signal) => signal.id)).toEqual(['ign_3']);
      });

      it('keeps what it deleted when the transaction rolls back', async () => {
        expect(await store.recordInboundEvent('example', 'evt_keep', at(0))).toBe(true);
        await expect(
          store.transaction(async (tx) => {
            expect(await tx.pruneHistory('inbound_events', at(1_000), 10)).toBe(1);
            throw new Error('rollback');
          }),
        ).rejects.toThrow('rollback');
        expect(await store.recordInboundEvent('example', 'evt_keep', at(2_000))).toBe(false);
      });
    });

    describe('sealed secrets', () => {
      it('puts, replaces, compares-and-sets, deletes', async () => {
        await store.putSecrets('conn_a', 's1');
        await store.putSecrets('conn_a', 's2');
        expect(await store.getSecrets('conn_a')).toBe('s2');
        expect(await store.replaceSecrets('conn_a', 's1', 's3')).toBe(false);
        expect(await store.replaceSecrets('conn_a', 's2', 's3')).toBe(true);
        expect(await store.getSecrets('conn_a')).toBe('s3');
        expect(await store.replaceSecrets('conn_missing', 's', 't')).toBe(false);
        await store.deleteSecrets('conn_a');
        await store.deleteSecrets('conn_a');
        expect(await store.getSecrets('conn_a')).toBeUndefined();
      });

      it('pages through every secret by connection id', async () => {
        const ids = Array.from({ length: 7 }, (_, i) => `conn_${String.fromCharCode(103 - i)}`);
        for (const id of ids) await store.putSecrets(id, `sealed_${id}`);
        const seen: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await store.listSecrets(after, 3);
          seen.push(...page.map((row) => row.connectionId));
          expect(page.every((row) => row.sealed === `sealed_${row.connectionId}`)).toBe(true);
          if (page.length < 3) break;
          after = page.at(-1)?.connectionId;
        }
        expect(seen).toEqual([...ids].sort());
      });
    });

    describe('reconnect attempts', () => {
      const attempt = {
        nonce: 'nonce_1',
        connectionId: 'conn_0001',
        provider: 'example',
        createdAt: at(0).toISOString(),
        expiresAt: at(60_000).toISOString(),
      };

      it('inserts once, completes once, and returns the first outcome', async () => {
        await store.insertReconnectAttempt(attempt);
        expect(await errorCode(store.insertReconnectAttempt(attempt))).toBe('store_conflict');
        expect(await store.getReconnectAttempt('nonce_1')).toEqual(attempt);
        const c = connection();
        const first: CompletionOutcome = { outcome: 'recovered', connection: c };
        const second: CompletionOutcome = {
          outcome: 'failed',
          connection: c,
          problem: {
            state: 'needs_reauth',
            vendor: { status: 'x' },
            reason: 'r',
            fix: 'one_click',
          },
        };
        expect(await store.completeReconnectAttempt('nonce_1', first, at(1))).toBe(true);
        expect(await store.completeReconnectAttempt('nonce_1', second, at(2))).toBe(false);
        expect(await store.getReconnectAttempt('nonce_1')).toEqual({
          ...attempt,
          outcome: first,
          completedAt: at(1).toISOString(),
        });
        expect(await store.completeReconnectAttempt('nonce_missing', first, at(1))).toBe(false);
        expect(await store.getReconnectAttempt('nonce_missing')).toBeUndefined();
      });

      const open = (nonce: string, connectionId: string, expiresInMs: number) => ({
        nonce,
        connectionId,
        provider: 'example',
        createdAt: at(0).toISOString(),
        expiresAt: at(expiresInMs).toISOString(),
        returnTo: 'needs_reauth' as const,
      });
      const nonces = (attempts: readonly { nonce: string }[]) => attempts.map((a) => a.nonce);

      it('ends an open attempt once; completed and ended attempts are left as they are', async () => {
        await store.insertReconnectAttempt(open('nonce_a', 'conn_0001', 1_000));
        await store.insertReconnectAttempt(open('nonce_b', 'conn_0001', 2_000));
        expect(await store.getReconnectAttempt('nonce_a')).toEqual(open('nonce_a', 'conn_0001', 1_000));
        expect(await store.endReconnectAttempt('nonce_a', 'expired', at(5))).toBe(true);
        expect(await store.endReconnectAttempt('nonce_a', 'superseded', at(6))).toBe(false);
        expect(await store.getReconnectAttempt('nonce_a')).toMatchObject({
          endReason: 'expired',
          endedAt: at(5).toISOString(),
        });
        const done: CompletionOutcome = { outcome: 'recovered', connection: connection() };
        expect(await store.completeReconnectAttempt('nonce_b', done, at(7))).toBe(true);
        expect(await store.endReconnectAttempt('nonce_b', 'expired', at(8))).toBe(false);
        expect((await store.getReconnectAttempt('nonce_b'))?.endReason).toBeUndefined();
        expect(await store.endReconnectAttempt('nonce_missing', 'expired', at(8))).toBe(false);
      });

      it('concurrent ends of one attempt: exactly one wins', async () => {
        await store.insertReconnectAttempt(open('nonce_a', 'conn_0001', 1_000));
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            store.transaction((tx) => tx.endReconnectAttempt('nonce_a', 'expired', at(10 + i))),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it("supersedes the connection's other open attempts, and nothing else", async () => {
        await store.insertReconnectAttempt(open('nonce_old', 'conn_0001', 1_000));
        await store.insertReconnectAttempt(open('nonce_done', 'conn_0001', 1_500));
        await store.insertReconnectAttempt(open('nonce_new', 'conn_0001', 2_000));
        await store.insertReconnectAttempt(open('nonce_other', 'conn_0002', 1_000));
        const done: CompletionOutcome = { outcome: 'recovered', connection: connection() };
        await store.completeReconnectAttempt('nonce_done', done, at(1));
        expect(await store.supersedeReconnectAttempts('conn_0001', 'nonce_new', at(3))).toBe(1);
        expect(await store.getReconnectAttempt('nonce_old')).toMatchObject({
          endReason: 'superseded',
          endedAt: at(3).toISOString(),
        });
        for (const kept of ['nonce_done', 'nonce_new', 'nonce_other']) {
          expect((await store.getReconnectAttempt(kept))?.endReason).toBeUndefined();
        }
        expect(await store.supersedeReconnectAttempts('conn_0001', 'nonce_new', at(4))).toBe(0);
      });

      it('lists open attempts by connection and by expiry, soonest expiry first, up to the limit', async () => {
        await store.insertReconnectAttempt(open('nonce_3', 'conn_0001', 3_000));
        await store.insertReconnectAttempt(open('nonce_1', 'conn_0002', 1_000));
        await store.insertReconnectAttempt(open('nonce_2', 'conn_0001', 2_000));
        await store.insertReconnectAttempt(open('nonce_4', 'conn_0001', 4_000));
        await store.endReconnectAttempt('nonce_4', 'superseded', at(1));
        expect(nonces(await store.listOpenReconnectAttempts({ limit: 10 }))).toEqual([
          'nonce_1',
          'nonce_2',
          'nonce_3',
        ]);
        expect(
          nonces(await store.listOpenReconnectAttempts({ connectionId: 'conn_0001', limit: 10 })),
        ).toEqual(['nonce_2', 'nonce_3']);
        // expiresAt <= expiredBy: an attempt expiring exactly now has expired.
        expect(nonces(await store.listOpenReconnectAttempts({ expiredBy: at(2_000), limit: 10 }))).toEqual([
          'nonce_1',
          'nonce_2',
        ]);
        expect(nonces(await store.listOpenReconnectAttempts({ expiredBy: at(2_000), limit: 1 }))).toEqual([
          'nonce_1',
        ]);
        expect(
          await store.listOpenReconnectAttempts({
            connectionId: 'conn_0001',
            expiredBy: at(2_500),
            limit: 10,
          }),
        ).toEqual([open('nonce_2', 'conn_0001', 2_000)]);
      });
    });

    describe('connection lock', () => {
      it('runs functions for one connection one at a time, others in parallel', async () => {
        const log: string[] = [];
        let releaseFirst = () => {};
        const firstHeld = new Promise<void>((resolve) => {
          releaseFirst = resolve;
        });
        const first = store.withConnectionLock('conn_a', async () => {
          log.push('a1 start');
          await firstHeld;
          log.push('a1 end');
          return 1;
        });
        const second = store.withConnectionLock('conn_a', async () => {
          log.push('a2 start');
          return 2;
        });
        const other = store.withConnectionLock('conn_b', async () => {
          log.push('b start');
          return 3;
        });
        expect(await other).toBe(3);
        expect(log).toContain('b start');
        expect(log).not.toContain('a2 start');
        releaseFirst();
        expect(await Promise.all([first, second])).toEqual([1, 2]);
        expect(log.indexOf('a1 end')).toBeLessThan(log.indexOf('a2 start'));
      });

      it('releases the lock when the function throws', async () => {
        await expect(
          store.withConnectionLock('conn_a', async () => {
            throw new Error('inside');
          }),
        ).rejects.toThrow('inside');
        expect(await store.withConnectionLock('conn_a', async () => 'again')).toBe('again');
      });
    });
  });
}
