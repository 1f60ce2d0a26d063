import { describe, expect, test } from 'vitest';
import { emptyAccountData } from './data-model.js';
import { addAccountData, createArgyleState, removeAccountData } from './state.js';

describe('data stores', () => {
  test('keep each account to its own records, in creation order, and drop them with the account', () => {
    const state = createArgyleState();
    const data = (ids: string[]) => {
      const rows = emptyAccountData();
      rows.vehicles = ids.map((id) => ({ id, sortMs: 0, employment: null, wire: { id } as never }));
      return rows;
    };
    addAccountData(state, { accountId: 'acc-a', userId: 'user-1' }, data(['v1', 'v2']));
    addAccountData(state, { accountId: 'acc-b', userId: 'user-1' }, data(['v3']));

    const store = state.data.vehicles;
    expect(store.forAccount('acc-a').map((row) => [row.id, row.rowKey, row.userId])).toEqual([
      ['v1', 1, 'user-1'],
      ['v2', 2, 'user-1'],
    ]);
    expect(store.forAccount('acc-none')).toEqual([]);
    removeAccountData(state, 'acc-a');
    expect(store.forAccount('acc-a')).toEqual([]);
    expect([...store.byId.keys()]).toEqual(['v3']);
  });

  test('a replaced record keeps its place; a removed one leaves the lists and the cached window', () => {
    const state = createArgyleState();
    const rows = emptyAccountData();
    rows.vehicles = [1, 2, 3].map((n) => ({
      id: `v${n}`,
      sortMs: n * 1000,
      employment: null,
      wire: { n } as never,
    }));
    addAccountData(state, { accountId: 'acc-a', userId: 'user-1' }, rows);
    const store = state.data.vehicles;
    expect(store.window('acc-a').count).toBe(3);
    const second = store.byId.get('v2')!;
    const versions = [store.version];
    store.replace({ ...second, wire: { n: 20 } as never });
    versions.push(store.version);
    expect(store.forAccount('acc-a').map((row) => row.wire)).toEqual([{ n: 1 }, { n: 20 }, { n: 3 }]);
    expect(store.byId.get('v2')!.wire).toEqual({ n: 20 });
    expect(store.window('acc-a').count).toBe(3);
    store.remove(store.byId.get('v3')!);
    versions.push(store.version);
    store.removeAccount('acc-none');
    versions.push(store.version);
    // Every change is a new version: pages built before it are stale.
    expect(new Set(versions).size).toBe(4);
    expect(store.forAccount('acc-a').map((row) => row.id)).toEqual(['v1', 'v2']);
    expect(store.byId.has('v3')).toBe(false);
    expect(store.window('acc-a')).toMatchObject({ count: 2, to: '1970-01-01T00:00:02Z' });
  });
});
