import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import type { Connection } from '../service-api.js';
import { describeConnectionStoreSuite } from '../testing/store-suite.js';
import type { ConnectionEvent } from '../types.js';
import { SQLITE_MIGRATIONS, SqliteConnectionStore } from './sqlite.js';

describeConnectionStoreSuite('SqliteConnectionStore (:memory:)', async () => {
  const store = new SqliteConnectionStore(':memory:');
  return { store, cleanup: () => store.close() };
});

describeConnectionStoreSuite('SqliteConnectionStore (file, WAL)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rk-sqlite-'));
  const store = new SqliteConnectionStore(join(dir, 'store.sqlite'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteConnectionStore files', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const latestVersion = Math.max(...SQLITE_MIGRATIONS.map((migration) => migration.version));

  it('syncs WAL commits at FULL by default (an acknowledged webhook survives power loss), NORMAL only when asked', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rk-sqlite-'));
    const full = new SqliteConnectionStore(join(dir, 'full.sqlite'));
    const normal = new SqliteConnectionStore(join(dir, 'normal.sqlite'), {
      synchronous: 'normal',
      walAutocheckpointPages: 500,
    });
    expect(full.durability).toEqual({
      journalMode: 'wal',
      synchronous: 'full',
      walAutocheckpointPages: 10_000,
    });
    expect(normal.durability).toEqual({
      journalMode: 'wal',
      synchronous: 'normal',
      walAutocheckpointPages: 500,
    });
    await normal.close();
    await full.close();
  });

  it('uses WAL, records its migrations once, and keeps data across reopen', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rk-sqlite-'));
    const path = join(dir, 'store.sqlite');
    const first = new SqliteConnectionStore(path);
    expect(first.schemaVersion).toBe(latestVersion);
    await first.putSecrets('conn_a', 'sealed');
    await first.close();
    await first.close();

    const second = new SqliteConnectionStore(path);
    expect(second.schemaVersion).toBe(latestVersion);
    expect(await second.getSecrets('conn_a')).toBe('sealed');
    await second.close();

    const raw = new DatabaseSync(path);
    expect(raw.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(raw.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({
      n: SQLITE_MIGRATIONS.length,
    });
    raw.close();
  });

  it('refuses work after close', async () => {
    const store = new SqliteConnectionStore(':memory:');
    await store.close();
    await expect(store.getSecrets('conn_a')).rejects.toThrow('closed');
  });

  it('upgrades a version 1 file in place, keeping dedupe records and the outbox in order', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rk-sqlite-'));
    const path = join(dir, 'v1.sqlite');
    const v1 = new DatabaseSync(path);
    v1.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    v1.exec(SQLITE_MIGRATIONS.find((migration) => migration.version === 1)?.sql ?? '');
    v1.exec(`INSERT INTO schema_migrations VALUES (1, '2026-01-01T00:00:00.000Z');
      INSERT INTO inbound_events VALUES ('argyle', 'evt_seen', '2026-01-01T00:00:00.000Z');
      INSERT INTO outbox (event_id, body, next_attempt_at) VALUES ('evt_out', '{"id":"evt_out"}', '2026-01-01');
      INSERT INTO outbox (event_id, body, next_attempt_at, delivered_at)
        VALUES ('evt_done', '{"id":"evt_done"}', '2026-01-01', '2026-01-02');`);
    v1.close();

    const store = new SqliteConnectionStore(path);
    expect(store.schemaVersion).toBe(latestVersion);
    expect(await store.recordInboundEvent('argyle', 'evt_seen', new Date())).toBe(false);
    expect(await store.recordInboundEvent('argyle', 'evt_new', new Date())).toBe(true);
    await store.appendOutbox([{ id: 'evt_next' } as ConnectionEvent], new Date('2026-01-01'));
    const claimed = await store.claimOutbox({
      owner: 'w1',
      now: new Date('2026-02-01'),
      leaseMs: 1000,
      limit: 10,
    });
    expect(claimed.map((entry) => entry.event.id)).toEqual(['evt_out', 'evt_next']);
    expect((await store.listOutbox({ status: 'delivered' })).map((entry) => entry.event.id)).toEqual([
      'evt_done',
    ]);
    await store.close();
  });

  it('keeps every index in step when an update changes the columns they cover', async () => {
    const store = new SqliteConnectionStore(':memory:');
    const at = '2026-03-01T00:00:00.000Z';
    const original: Connection = {
      id: 'conn_a',
      provider: 'example',
      hostUserId: 'user_1',
      upstreamId: 'acc_1',
      upstreamParentId: 'owner_1',
      metadata: {},
      state: 'connected',
      vendor: { status: 'active', code: null },
      createdAt: at,
      updatedAt: at,
      stateChangedAt: at,
      version: 1,
    };
    await store.insertConnection(original);
    const stateOnly = { ...original, state: 'needs_reauth' as const, version: 2 };
    await store.updateConnection(stateOnly, 1);
    expect(await store.findByUpstream('example', 'acc_1')).toEqual(stateOnly);

    const moved = {
      ...stateOnly,
      hostUserId: 'user_2',
      upstreamId: 'acc_2',
      upstreamParentId: 'owner_2',
      version: 3,
    };
    await store.updateConnection(moved, 2);
    expect(await store.findByUpstream('example', 'acc_1')).toBeUndefined();
    expect(await store.findByUpstream('example', 'acc_2')).toEqual(moved);
    expect(await store.findLatestByUpstreamParent('example', 'owner_2', ['needs_reauth'])).toEqual(moved);
    expect((await store.listConnections({ hostUserId: 'user_1' })).items).toEqual([]);
    expect((await store.listConnections({ hostUserId: 'user_2' })).items).toEqual([moved]);

    const revoked = { ...moved, state: 'revoked' as const, version: 4 };
    await store.updateConnection(revoked, 3);
    await store.insertConnection({
      ...original,
      id: 'conn_b',
      upstreamId: 'acc_2',
      upstreamParentId: 'owner_2',
    });
    expect((await store.findByUpstream('example', 'acc_2'))?.id).toBe('conn_b');
    // The live connection wins over a newer terminal one; without a live one, the newest terminal one is found.
    const later = '2026-03-02T00:00:00.000Z';
    await store.insertConnection({ ...revoked, id: 'conn_c', createdAt: later, version: 1 });
    expect((await store.findByUpstream('example', 'acc_2'))?.id).toBe('conn_b');
    await store.updateConnection(
      {
        ...original,
        id: 'conn_b',
        upstreamId: 'acc_2',
        upstreamParentId: 'owner_2',
        state: 'disconnected',
        version: 2,
      },
      1,
    );
    expect((await store.findByUpstream('example', 'acc_2'))?.id).toBe('conn_c');
    await store.close();
  });
});

describe('SqliteConnectionStore group commit', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  const stateEvent = (id: string): ConnectionEvent => ({
    id,
    type: 'connection.state_changed',
    connectionId: 'conn_1',
    provider: 'example',
    hostUserId: 'user_1',
    to: 'connected',
    occurredAt: '2026-03-01T00:00:00.000Z',
    cause: { kind: 'webhook' },
  });

  it('runs transactions queued together in call order under one commit, each seeing the ones before it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rk-sqlite-'));
    const path = join(dir, 'store.sqlite');
    const store = new SqliteConnectionStore(path);
    const before = store.commitStats;
    const seen = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.transaction(async (tx) => {
          const earlier = (await tx.listOutbox({ limit: 100 })).length;
          await tx.appendOutbox([stateEvent(`evt_${i}`)], new Date('2026-03-01T00:00:00.000Z'));
          return earlier;
        }),
      ),
    );
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(store.commitStats).toEqual({
      commits: before.commits + 1,
      transactions: before.transactions + 20,
    });
    await store.close();

    const reopened = new SqliteConnectionStore(path);
    expect((await reopened.listOutbox({ limit: 100 })).map((entry) => entry.event.id)).toEqual(
      Array.from({ length: 20 }, (_, i) => `evt_${i}`),
    );
    await reopened.close();
  });

  it('groups transactions queued by separate callbacks of one event-loop phase (an HTTP server’s deliveries)', async () => {
    const store = new SqliteConnectionStore(':memory:');
    const before = store.commitStats;
    // Each immediate callback stands for one socket's request: its own macrotask of one event-loop phase,
    // microtasks drained after it. Not timers: two `setTimeout(0)` made across a millisecond boundary fire in
    // different loop turns (this test failed that way under load).
    const done = await Promise.all(
      Array.from(
        { length: 5 },
        (_, i) =>
          new Promise<void>((resolve, reject) => {
            setImmediate(() => {
              store
                .transaction((tx) =>
                  tx.appendOutbox([stateEvent(`evt_${i}`)], new Date('2026-03-01T00:00:00.000Z')),
                )
                .then(resolve, reject);
            });
          }),
      ),
    );
    expect(done).toHaveLength(5);
    expect(store.commitStats).toEqual({ commits: before.commits + 1, transactions: before.transactions + 5 });
    await store.close();
  });

  it.each([
    ['first', 0],
    ['third', 2],
  ])(
    'rolls back only the transaction that failed (the %s of five); the others commit',
    async (_, failing) => {
      const store = new SqliteConnectionStore(':memory:');
      const before = store.commitStats;
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) =>
          store.transaction(async (tx) => {
            await tx.recordInboundEvent('example', `evt_${i}`, new Date());
            await tx.putSecrets(`conn_${i}`, `sealed_${i}`);
            if (i === failing) throw new Error('this one fails after writing');
            return i;
          }),
        ),
      );
      expect(results.map((result) => result.status)).toEqual(
        [0, 1, 2, 3, 4].map((i) => (i === failing ? 'rejected' : 'fulfilled')),
      );
      expect(store.commitStats.transactions).toBe(before.transactions + 4);
      expect(await store.getSecrets(`conn_${failing}`)).toBeUndefined();
      expect(await store.recordInboundEvent('example', `evt_${failing}`, new Date())).toBe(true);
      for (const i of [0, 1, 2, 3, 4].filter((i) => i !== failing)) {
        expect(await store.getSecrets(`conn_${i}`)).toBe(`sealed_${i}`);
        expect(await store.recordInboundEvent('example', `evt_${i}`, new Date())).toBe(false);
      }
      await store.close();
    },
  );

  it('keeps call order when a failure sends a group round again: each later one sees exactly the earlier commits', async () => {
    const store = new SqliteConnectionStore(':memory:');
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        store.transaction(async (tx) => {
          const earlier = (await tx.listOutbox({ limit: 100 })).map((entry) => entry.event.id);
          await tx.appendOutbox([stateEvent(`evt_${i}`)], new Date('2026-03-01T00:00:00.000Z'));
          if (i === 2) throw new Error('this one fails after writing');
          return earlier;
        }),
      ),
    );
    expect(results.map((result) => (result.status === 'fulfilled' ? result.value : 'rejected'))).toEqual([
      [],
      ['evt_0'],
      'rejected',
      ['evt_0', 'evt_1'],
      ['evt_0', 'evt_1', 'evt_3'],
    ]);
    await store.close();
  });

  it('fails the waiting group when another process holds the file, and works again once it lets go', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rk-sqlite-'));
    const path = join(dir, 'store.sqlite');
    const store = new SqliteConnectionStore(path, { busyTimeoutMs: 50 });
    const other = new DatabaseSync(path);
    other.exec('BEGIN IMMEDIATE');
    const blocked = await Promise.allSettled(
      Array.from({ length: 3 }, (_, i) => store.putSecrets(`conn_${i}`, 'sealed')),
    );
    expect(blocked.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((blocked[0] as PromiseRejectedResult).reason)).toMatch(/locked|busy/i);
    other.exec('ROLLBACK');
    other.close();
    await store.putSecrets('conn_0', 'sealed');
    expect(await store.getSecrets('conn_0')).toBe('sealed');
    expect(await store.getSecrets('conn_1')).toBeUndefined();
    await store.close();
  });

  it('finishes queued transactions on close and refuses new ones', async () => {
    const store = new SqliteConnectionStore(':memory:');
    const queued = store.putSecrets('conn_1', 'sealed');
    const closing = store.close();
    await expect(queued).resolves.toBeUndefined();
    await closing;
    await expect(store.putSecrets('conn_2', 'sealed')).rejects.toThrow('closed');
  });
});
