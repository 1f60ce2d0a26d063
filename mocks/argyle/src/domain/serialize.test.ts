import { describe, expect, test } from 'vitest';
import { emptyAccountData } from './data-model.js';
import { serializeAccount, serializeWebhookAccount } from './serialize.js';
import { type AccountRecord, addAccountData, createArgyleState, DATA_SETS, takeRowKey } from './state.js';

function connectedAccount(state = createArgyleState()) {
  const at = (iso: string) => new Date(iso);
  const account: AccountRecord = {
    id: 'acc-1',
    kind: 'payroll',
    rowKey: takeRowKey(state),
    userId: 'user-1',
    itemId: 'item_000029932',
    employer: 'Walmart',
    login: 'bob',
    createdAt: at('2026-01-29T19:25:10.118Z'),
    updatedAt: at('2026-01-29T19:26:53.846Z'),
    scannedAt: at('2026-01-29T19:25:11.000Z'),
    connection: {
      status: 'connected',
      errorCode: null,
      errorMessage: null,
      updatedAt: at('2026-01-29T19:25:12.5Z'),
    },
    ddsUpdatedAt: at('2026-01-29T19:25:10.118Z'),
    ongoingRefresh: 'idle',
    availability: Object.fromEntries(
      DATA_SETS.map((set) => [set, { status: 'synced' as const, updatedAt: at('2026-01-29T19:26:00.001Z') }]),
    ) as AccountRecord['availability'],
    model: null,
    failNextReconnectWith: null,
    scanCount: 1,
  };
  state.accounts.set(account.id, account);
  return { state, account };
}

describe('account serialisation', () => {
  test('REST and webhook shapes keep their own key order, precision and fields', () => {
    const { state, account } = connectedAccount();
    const rest = serializeAccount(state, account);
    const webhook = serializeWebhookAccount(state, account);
    expect(Object.keys(rest).slice(-2)).toEqual(['availability', 'ongoing_refresh']);
    expect(Object.keys(webhook).slice(-2)).toEqual(['ongoing_refresh', 'availability']);
    expect(rest.availability).toHaveProperty('user_uploads', null);
    expect(webhook.availability).not.toHaveProperty('user_uploads');
    expect(rest.updated_at).toBe('2026-01-29T19:26:53.846Z');
    expect(webhook.updated_at).toBe('2026-01-29T19:26:53.846000Z');
    expect(rest.connection.updated_at).toBe('2026-01-29T19:25:12.500Z');
    expect(webhook.availability?.identities).toEqual({
      status: 'synced',
      updated_at: '2026-01-29T19:26:00.001000Z',
    });
  });

  test('a timestamp read again reflects its Date, even one changed in place or replaced', () => {
    const { state, account } = connectedAccount();
    expect(serializeAccount(state, account).created_at).toBe('2026-01-29T19:25:10.118Z');
    account.createdAt.setTime(Date.parse('2026-02-01T00:00:00.000Z'));
    account.updatedAt = new Date('2026-03-01T08:00:00.250Z');
    const again = serializeAccount(state, account);
    expect(again.created_at).toBe('2026-02-01T00:00:00.000Z');
    expect(again.updated_at).toBe('2026-03-01T08:00:00.250Z');
    expect(serializeWebhookAccount(state, account).created_at).toBe('2026-02-01T00:00:00.000000Z');
  });

  test('paystub availability spans the account’s first and last paystub dates', () => {
    const { state, account } = connectedAccount();
    const data = emptyAccountData();
    data.paystubs = ['2026-01-15', '2026-01-01'].map((day) => ({
      id: day,
      sortMs: Date.parse(`${day}T00:00:00Z`),
      employment: null,
      wire: {} as never,
    }));
    addAccountData(state, { accountId: account.id, userId: account.userId }, data);
    expect(serializeAccount(state, account).availability?.paystubs).toEqual({
      status: 'synced',
      updated_at: '2026-01-29T19:26:00.001Z',
      available_count: 2,
      available_from: '2026-01-01T00:00:00Z',
      available_to: '2026-01-15T00:00:00Z',
    });
  });
});
