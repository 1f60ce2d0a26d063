import { describe, expect, test } from 'vitest';
import { paystubFor } from './paystub.test-helpers.js';
import {
  accountPaystubs,
  addPaystub,
  createArgyleState,
  type PaystubRecord,
  removeAccountPaystubs,
} from './state.js';

describe('paystubs by account', () => {
  const state = createArgyleState();
  const paystub = (accountId: string, day: string): PaystubRecord =>
    paystubFor(state, { accountId, userId: 'user-1', employer: 'Employer' }, new Date(`${day}T00:00:00Z`));

  test('keeps each account to its own paystubs, oldest date first, and drops them with the account', () => {
    const march = paystub('acc-a', '2026-03-01');
    const january = paystub('acc-a', '2026-01-01');
    const february = paystub('acc-a', '2026-02-01');
    const other = paystub('acc-b', '2026-01-15');
    for (const record of [march, january, other, february]) addPaystub(state, record);

    expect(accountPaystubs(state, 'acc-a')).toEqual([january, february, march]);
    expect(accountPaystubs(state, 'acc-b')).toEqual([other]);
    expect(accountPaystubs(state, 'acc-none')).toEqual([]);
    expect(state.paystubs.get(march.id)).toBe(march);

    removeAccountPaystubs(state, 'acc-a');
    expect(accountPaystubs(state, 'acc-a')).toEqual([]);
    expect([...state.paystubs.values()]).toEqual([other]);
  });
});
