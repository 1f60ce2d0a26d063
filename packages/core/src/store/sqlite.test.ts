import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { describeConnectionStoreSuite } from '../testing/store-suite.js';
import { SqliteConnectionStore } from './sqlite.js';

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

  it('syncs WAL commits at NORMAL by default and at FULL when asked', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rk-sqlite-'));
    const normal = new SqliteConnectionStore(join(dir, 'normal.sqlite'));
    const full = new SqliteConnectionStore(join(dir, 'full.sqlite'), { synchronous: 'full' });
    expect(normal.durability).toEqual({ journalMode: 'wal', synchronous: 'normal' });
    expect(full.durability).toEqual({ journalMode: 'wal', synchronous: 'full' });
    await normal.close();
    await full.close();
  });

  it('uses WAL, records its migrations once, and keeps data across reopen', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rk-sqlite-'));
    const path = join(dir, 'store.sqlite');
    const first = new SqliteConnectionStore(path);
    expect(first.schemaVersion).toBe(1);
    await first.putSecrets('conn_a', 'sealed');
    await first.close();
    await first.close();

    const second = new SqliteConnectionStore(path);
    expect(second.schemaVersion).toBe(1);
    expect(await second.getSecrets('conn_a')).toBe('sealed');
    await second.close();

    const raw = new DatabaseSync(path);
    expect(raw.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(raw.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({ n: 1 });
    raw.close();
  });

  it('refuses work after close', async () => {
    const store = new SqliteConnectionStore(':memory:');
    await store.close();
    await expect(store.getSecrets('conn_a')).rejects.toThrow('closed');
  });
});
