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
});
