import { describe, expect, test } from 'vitest';
import {
  accountPaystubs,
  addPaystub,
  createArgyleState,
  type PaystubRecord,
  removeAccountPaystubs,
  takeRowKey,
} from './state.js';

describe('paystubs by account', () => {
  const state = createArgyleState();
  const paystub = (accountId: string, day: string): PaystubRecord => {
    const rowKey = takeRowKey(state);
    const date = new Date(`${day}T00:00:00Z`);
    return {
      id: `paystub-${rowKey}`,
      rowKey,
      accountId,
      userId: 'user-1',
      employer: 'Employer',
      paystubDate: date,
      periodStart: date,
      periodEnd: date,
      grossPay: '2000.00',
      netPay: '1560.00',
      createdAt: date,
    };
  };

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
