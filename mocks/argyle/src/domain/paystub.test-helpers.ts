import { type ArgyleState, type PaystubRecord, takeRowKey } from './state.js';

/** A paystub record dated `date` (pay date, period and creation alike) for the account, with a fresh row key. */
export function paystubFor(
  state: ArgyleState,
  account: { readonly accountId: string; readonly userId: string; readonly employer: string },
  date: Date,
): PaystubRecord {
  const rowKey = takeRowKey(state);
  return {
    id: `paystub-${rowKey}`,
    rowKey,
    ...account,
    paystubDate: date,
    periodStart: date,
    periodEnd: date,
    grossPay: '2000.00',
    netPay: '1560.00',
    createdAt: date,
  };
}
