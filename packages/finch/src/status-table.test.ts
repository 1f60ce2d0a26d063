import { describe, expect, it } from 'vitest';
import { introspectSchema } from './generated/introspect.js';
import { webhookEventSchema } from './generated/webhook-event.js';
import { FINCH_CONNECTION_STATUSES, FINCH_STATUS_TABLE, signalForFinchStatus } from './status-table.js';

const enumOf = (schema: unknown, def: string): string[] =>
  (schema as { $defs: Record<string, { enum: string[] }> }).$defs[def]?.enum ?? [];

describe('Finch status table', () => {
  it('has a row for every status in Finch’s introspect, entity and webhook enums', () => {
    const vendorStatuses = new Set([
      ...enumOf(introspectSchema, 'ConnectionStatus'),
      ...enumOf(introspectSchema, 'EntityConnectionStatus'),
      ...enumOf(webhookEventSchema, 'ConnectionStatus'),
    ]);
    expect([...vendorStatuses].sort()).toEqual([...FINCH_CONNECTION_STATUSES].sort());
    expect(Object.keys(FINCH_STATUS_TABLE).sort()).toEqual([...FINCH_CONNECTION_STATUSES].sort());
  });

  it.each([
    ['pending', 'pending', undefined],
    ['processing', 'pending', undefined],
    ['connected', 'connected', undefined],
    ['reauth', 'needs_reauth', 'reenter_credentials'],
    ['error_no_account_setup', 'needs_credentials', 'user_action_elsewhere'],
    ['error_permissions', 'needs_credentials', 'user_action_elsewhere'],
    ['disconnected', 'revoked', 'new_connection'],
  ] as const)('%s → %s (fix %s)', (status, state, fix) => {
    const signal = signalForFinchStatus({ status, code: null, message: 'from Finch' });
    expect(signal?.state).toBe(state);
    expect(signal?.vendor).toEqual({ status, code: null, message: 'from Finch' });
    expect(signal?.problem?.fix).toBe(fix);
    if (fix !== undefined) expect(signal?.problem?.reason).toMatch(/\w+ \w+/);
  });

  it('reads the misspellings found in Finch’s prose docs, and nothing else', () => {
    expect(signalForFinchStatus({ status: 'error_reauth' })?.state).toBe('needs_reauth');
    expect(signalForFinchStatus({ status: 'error_no_acount_setup' })?.state).toBe('needs_credentials');
    expect(signalForFinchStatus({ status: 'reauthenticating' })).toBeUndefined();
  });
});
