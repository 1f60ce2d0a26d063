import { setTimeout as sleep } from 'node:timers/promises';
import { type Connection, isReconnectKitError } from '@reconnect-kit/core';
import { createExampleKit, type ExampleKit } from '@reconnect-kit/core/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PostgresConnectionStore } from './store.js';
import {
  dropSchema,
  emptyTables,
  lockHolder,
  randomSchemaName,
  testPool,
  waitFor,
} from './testing/database.js';

/** Two app instances = two stores on two separate pools, sharing one schema. */
describe('two instances on one schema', () => {
  const schema = randomSchemaName();
  const pools = [testPool(6), testPool(6)] as const;
  let stores: PostgresConnectionStore[] = [];

  beforeAll(async () => {
    await new PostgresConnectionStore({ pool: pools[0], schema }).migrate();
  });
  beforeEach(async () => {
    await emptyTables(pools[0], schema);
    stores = pools.map((pool) => new PostgresConnectionStore({ pool, schema }));
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await dropSchema(schema);
  });

  it('dedupes one inbound event recorded by 2 x 10 concurrent transactions: exactly one wins', async () => {
    const at = new Date('2026-03-01T00:00:00.000Z');
    const results = await Promise.all(
      stores.flatMap((store, instance) =>
        Array.from({ length: 10 }, (_, i) =>
          store.transaction(async (tx) => {
            const first = await tx.recordInboundEvent('example', 'evt_shared', at);
            if (first) {
              await tx.appendOutbox(
                [
                  {
                    id: `evt_out_${instance}_${i}`,
                    type: 'connection.state_changed',
                    connectionId: 'conn_1',
                    provider: 'example',
                    hostUserId: 'user_1',
                    occurredAt: at.toISOString(),
                    cause: { kind: 'webhook', ref: 'evt_shared' },
                  },
                ],
                at,
              );
            }
            return first;
          }),
        ),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await stores[1]?.listOutbox({})).toHaveLength(1);
  });

  it('serializes withConnectionLock across instances in the database; other connections do not wait', async () => {
    const [a, b] = stores as [PostgresConnectionStore, PostgresConnectionStore];
    const log: string[] = [];
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = a.withConnectionLock('conn_x', async () => {
      log.push('a start');
      await held;
      log.push('a end');
    });
    await waitFor(
      () => lockHolder(pools[0], schema, 'conn_x'),
      (owner) => owner !== undefined,
    );
    const second = b.withConnectionLock('conn_x', async () => {
      log.push('b start');
    });
    expect(await b.withConnectionLock('conn_y', async () => 'other connection')).toBe('other connection');
    // Several of b's polls for the lease go by while a holds it.
    await sleep(100);
    expect(log).toEqual(['a start']);
    release();
    await Promise.all([first, second]);
    expect(log).toEqual(['a start', 'a end', 'b start']);
    expect(await lockHolder(pools[0], schema, 'conn_x')).toBeUndefined();
  });

  it('reports the loser of a deadlock between two instances as store_conflict (retryable)', async () => {
    const [a, b] = stores as [PostgresConnectionStore, PostgresConnectionStore];
    const base: Omit<Connection, 'id' | 'upstreamId'> = {
      provider: 'example',
      metadata: {},
      hostUserId: 'user_1',
      upstreamParentId: 'owner_1',
      state: 'connected',
      vendor: { status: 'active' },
      createdAt: '2026-03-01T00:00:00.000Z',
      updatedAt: '2026-03-01T00:00:00.000Z',
      stateChangedAt: '2026-03-01T00:00:00.000Z',
      version: 1,
    };
    const one = { ...base, id: 'conn_one', upstreamId: 'acc_one' };
    const two = { ...base, id: 'conn_two', upstreamId: 'acc_two' };
    await a.insertConnection(one);
    await a.insertConnection(two);
    // Each transaction locks one row, then (once both hold theirs) asks for the other's: a lock cycle.
    let arrived = 0;
    let bothHold = () => {};
    const crossing = new Promise<void>((resolve) => {
      bothHold = resolve;
    });
    const lockThenCross = (store: PostgresConnectionStore, first: Connection, second: Connection) =>
      store.transaction(async (tx) => {
        await tx.updateConnection({ ...first, state: 'degraded', version: 2 }, 1);
        arrived += 1;
        if (arrived === 2) bothHold();
        await crossing;
        await tx.updateConnection({ ...second, state: 'degraded', version: 2 }, 1);
      });
    const results = await Promise.allSettled([lockThenCross(a, one, two), lockThenCross(b, two, one)]);
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(failures).toHaveLength(1);
    expect(isReconnectKitError(failures[0], 'store_conflict')).toBe(true);
  });

  describe('through ReconnectionService', () => {
    let kits: ExampleKit[] = [];
    beforeEach(() => {
      kits = stores.map((store) => createExampleKit({ store }));
    });
    afterEach(async () => {
      await Promise.all(kits.map((kit) => kit.service.stopDispatcher()));
    });

    async function brokenConnection(kit: ExampleKit) {
      for (const k of kits) k.vendor.addAccount({ id: 'acc_1', ownerId: 'owner_1', token: 'tok_old' });
      return kit.service.registerConnection({
        provider: 'example',
        hostUserId: 'user_1',
        upstreamId: 'acc_1',
        upstreamParentId: 'owner_1',
        secrets: { token: 'tok_old' },
        state: 'needs_reauth',
      });
    }

    it('applies one webhook delivered to both instances at once exactly once', async () => {
      const [a, b] = kits as [ExampleKit, ExampleKit];
      const connection = await brokenConnection(a);
      const event = {
        id: 'evt_recovered',
        type: 'account.status',
        account_id: 'acc_1',
        owner_id: 'owner_1',
        status: 'active' as const,
        occurred_at: a.clock.now().toISOString(),
      };
      const results = await Promise.all([a.ingest([event]), b.ingest([event])]);
      expect(results.map((r) => r.applied).sort()).toEqual([0, 1]);
      expect(results.map((r) => r.duplicates).sort()).toEqual([0, 1]);
      expect(await b.service.getConnection(connection.id)).toMatchObject({ state: 'connected', version: 2 });
      const recovered = (await a.store.listOutbox({})).filter((e) => e.event.type === 'connection.recovered');
      expect(recovered).toHaveLength(1);
    });

    it('completes one reconnection once: the second instance waits, then finds the state used', async () => {
      const [a, b] = kits as [ExampleKit, ExampleKit];
      const connection = await brokenConnection(a);
      const { action } = await a.service.startReconnection(connection.id);
      const state = (action as { state: string }).state;
      // Both vendors accept the code: if the lock failed, both instances would exchange it.
      for (const k of kits)
        k.vendor.issueCode('code_1', { accountId: 'acc_1', ownerId: 'owner_1', token: 'tok_new' });
      const releaseExchange = a.vendor.holdExchanges();
      const first = a.service.completeReconnection({ state, code: 'code_1' });
      await waitFor(
        () => lockHolder(pools[0], schema, connection.id),
        (owner) => owner !== undefined && a.vendor.exchangeCount() === 1,
      );
      const second = b.service.completeReconnection({ state, code: 'code_1' });
      // b polls for the lease meanwhile; without the lock it would exchange the code itself.
      await sleep(100);
      releaseExchange();
      const [outcomeA, refusedB] = await Promise.allSettled([first, second]);
      expect(outcomeA).toMatchObject({ status: 'fulfilled', value: { outcome: 'recovered' } });
      expect(refusedB).toMatchObject({
        status: 'rejected',
        reason: { code: 'state_used', details: { outcome: 'recovered' } },
      });
      expect(a.vendor.exchangeCount() + b.vendor.exchangeCount()).toBe(1);
      const recovered = (await b.store.listOutbox({})).filter((e) => e.event.type === 'connection.recovered');
      expect(recovered).toHaveLength(1);
    });

    it('abandons an expired reconnect once when both instances expire and read it at the same time', async () => {
      const [a, b] = kits as [ExampleKit, ExampleKit];
      const connection = await brokenConnection(a);
      await a.service.startReconnection(connection.id);
      await b.service.startReconnection(connection.id);
      for (const k of kits) await k.clock.advance(30 * 60 * 1000);
      const [expiredA, expiredB] = await Promise.all([
        a.service.expireReconnectAttempts(),
        b.service.expireReconnectAttempts(),
        a.service.getConnection(connection.id),
        b.service.getConnection(connection.id),
      ]);
      // Two attempts (the first superseded by the second); the live one expired and was ended exactly once.
      expect(expiredA.expired + expiredB.expired).toBeLessThanOrEqual(1);
      expect(await a.service.getConnection(connection.id)).toMatchObject({ state: 'needs_reauth' });
      const abandoned = (await a.store.listOutbox({})).filter(
        (e) => e.event.type === 'connection.reconnect_abandoned',
      );
      expect(abandoned).toHaveLength(1);
      expect(await a.store.listOpenReconnectAttempts({ limit: 10 })).toEqual([]);
    });
  });
});
