import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { ReconnectKitError } from './errors.js';
import { MemoryConnectionStore } from './store/memory.js';
import type { ConnectionStore, ConnectionStoreOps } from './store/port.js';
import { createExampleKit, type ExampleKit } from './testing/index.js';

/** A memory store whose transactions see a tx wrapped by `wrap` (to inject failures and conflicts). */
class FaultyStore extends MemoryConnectionStore {
  wrap: (tx: ConnectionStoreOps) => ConnectionStoreOps = (tx) => tx;

  override transaction<T>(fn: (tx: ConnectionStoreOps) => Promise<T>): Promise<T> {
    return super.transaction((tx) => fn(this.wrap(tx)));
  }
}

function withOverride<K extends keyof ConnectionStoreOps>(
  tx: ConnectionStoreOps,
  key: K,
  replacement: ConnectionStoreOps[K],
): ConnectionStoreOps {
  return new Proxy(tx, {
    get: (target, property) => {
      if (property === key) return replacement;
      const value = Reflect.get(target, property);
      // Bind to the real tx: its methods use private fields, which a Proxy receiver cannot reach.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

let kit: ExampleKit;
afterEach(async () => {
  await kit?.store.close();
});

async function twoConnections(store: ConnectionStore) {
  kit = createExampleKit({ store });
  for (const id of ['acc_1', 'acc_2']) {
    kit.vendor.addAccount({ id, ownerId: 'owner_1', token: 't' });
    await kit.service.registerConnection({ provider: 'example', hostUserId: 'u', upstreamId: id });
  }
  const at = kit.clock.now().toISOString();
  return ['acc_1', 'acc_2'].map((account, i) => ({
    id: `evt_${i}`,
    type: 'account.status',
    account_id: account,
    status: 'login_required' as const,
    occurred_at: at,
  }));
}

describe('ingestWebhook is one transaction', () => {
  it('a failure on the second event leaves no trace of the first, and a retry applies both', async () => {
    const store = new FaultyStore();
    const events = await twoConnections(store);
    let appends = 0;
    store.wrap = (tx) =>
      withOverride(tx, 'appendOutbox', async (entries, at) => {
        appends += 1;
        if (appends === 2) throw new Error('disk full');
        return tx.appendOutbox(entries, at);
      });
    const outboxBefore = await store.listOutbox({});
    await expect(kit.ingest(events)).rejects.toThrow('disk full');
    const listed = await kit.service.listConnections();
    expect(listed.items.map((c) => c.state)).toEqual(['connected', 'connected']);
    expect(await store.listOutbox({})).toEqual(outboxBefore);

    store.wrap = (tx) => tx;
    const retried = await kit.ingest(events);
    expect(retried).toMatchObject({ applied: 2, duplicates: 0 });
  });

  it('retries the whole transaction after a version conflict', async () => {
    const store = new FaultyStore();
    const events = await twoConnections(store);
    let conflicts = 0;
    store.wrap = (tx) =>
      withOverride(tx, 'updateConnection', async (connection, expected) => {
        if (conflicts === 0) {
          conflicts += 1;
          throw new ReconnectKitError('store_conflict');
        }
        return tx.updateConnection(connection, expected);
      });
    const result = await kit.ingest(events.slice(0, 1));
    expect(result).toMatchObject({ applied: 1, duplicates: 0 });
    expect(conflicts).toBe(1);
    expect((await store.listOutbox({})).filter((e) => e.event.type === 'connection.broken')).toHaveLength(1);
  });

  it('gives up after the configured number of conflict retries', async () => {
    const store = new FaultyStore();
    kit = createExampleKit({ store, options: { conflictRetries: 2 } });
    kit.vendor.addAccount({ id: 'acc_1', ownerId: 'o', token: 't' });
    const connection = await kit.service.registerConnection({
      provider: 'example',
      hostUserId: 'u',
      upstreamId: 'acc_1',
    });
    let attempts = 0;
    store.wrap = (tx) =>
      withOverride(tx, 'updateConnection', async () => {
        attempts += 1;
        throw new ReconnectKitError('store_conflict');
      });
    await expect(kit.service.revoke(connection.id)).rejects.toMatchObject({ code: 'store_conflict' });
    expect(attempts).toBe(3);
  });
});
