import { readFileSync } from 'node:fs';
import { CONNECTION_STATES } from '@reconnect-kit/core';
import { describe, expect, it } from 'vitest';
import { accountSchema } from './generated/account.js';
import { ERROR_CODE_RULES, mapConnection, removedAccount } from './status-map.js';

const enumCodes = (accountSchema as { $defs: { ConnectionErrorCode: { enum: string[] } } }).$defs
  .ConnectionErrorCode.enum;

describe('Argyle status mapping table', () => {
  it('has exactly one rule per error_code of the schema enum', () => {
    expect(Object.keys(ERROR_CODE_RULES).sort()).toEqual([...enumCodes].sort());
  });

  it.each(enumCodes)('%s maps to a problem state with a reason and a fix, keeping the raw code', (code) => {
    const message = `argyle says ${code}`;
    const mapped = mapConnection({ status: 'error', error_code: code as never, error_message: message });
    expect(['needs_reauth', 'needs_credentials', 'degraded']).toContain(mapped.state);
    expect(mapped.vendor).toEqual({ status: 'error', code, message });
    expect(mapped.problem?.state).toBe(mapped.state);
    expect(mapped.problem?.reason.length).toBeGreaterThan(20);
    expect(mapped.problem?.reason).not.toContain(code);
    expect(mapped.problem?.fix).toBeTruthy();
  });

  it('one-click (needs_reauth) is exactly auth_required plus the MFA-step failures', () => {
    const oneClick = enumCodes.filter(
      (c) =>
        mapConnection({ status: 'error', error_code: c as never, error_message: null }).state ===
        'needs_reauth',
    );
    expect(oneClick.sort()).toEqual(
      [
        'auth_required',
        'invalid_mfa',
        'mfa_attempts_exceeded',
        'mfa_cancelled_by_the_user',
        'mfa_exhausted',
        'mfa_timeout',
      ].sort(),
    );
    for (const code of oneClick) expect(ERROR_CODE_RULES[code as 'auth_required'].fix).toBe('one_click');
  });

  it.each([
    ['expired_credentials', 'needs_credentials', 'reenter_credentials'],
    ['invalid_credentials', 'needs_credentials', 'reenter_credentials'],
    ['invalid_auth', 'needs_credentials', 'reenter_credentials'],
    ['full_auth_required', 'needs_credentials', 'reenter_credentials'],
    ['mfa_timeout', 'needs_reauth', 'one_click'],
    ['mfa_not_configured', 'needs_credentials', 'user_action_elsewhere'],
    ['tos_required', 'needs_credentials', 'user_action_elsewhere'],
    ['system_error', 'degraded', 'wait'],
    ['platform_temporarily_unavailable', 'degraded', 'wait'],
    ['session_limit_reached', 'degraded', 'wait'],
    ['account_disabled', 'degraded', 'user_action_elsewhere'],
    ['unsupported_business_account', 'degraded', 'none'],
    ['trial_period_expired', 'degraded', 'none'],
  ])('%s → %s (%s)', (code, state, fix) => {
    const mapped = mapConnection({ status: 'error', error_code: code as never, error_message: null });
    expect([mapped.state, mapped.problem?.fix]).toEqual([state, fix]);
  });

  it('maps the non-error statuses without a problem', () => {
    expect(mapConnection({ status: 'connected', error_code: null, error_message: null })).toEqual({
      state: 'connected',
      vendor: { status: 'connected', code: null, message: null },
    });
    expect(mapConnection({ status: 'connecting', error_code: null, error_message: null }).state).toBe(
      'pending',
    );
  });

  it('an error without a code is degraded (wait), never healthy', () => {
    const mapped = mapConnection({ status: 'error', error_code: null, error_message: null });
    expect([mapped.state, mapped.problem?.fix]).toEqual(['degraded', 'wait']);
  });

  it('a removed account is terminal: revoked, fixable only by a new connection', () => {
    const mapped = removedAccount('removed');
    expect(mapped.state).toBe('revoked');
    expect(mapped.problem?.fix).toBe('new_connection');
    expect(CONNECTION_STATES).toContain(mapped.state);
  });
});

describe('docs/providers/argyle.md', () => {
  it('lists every error code with the state and fix of the table (the docs cannot drift)', () => {
    const doc = readFileSync(new URL('../../../docs/providers/argyle.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `([a-z_]+)` \| `([a-z_]+)` \| `([a-z_]+)` \| (.+) \|$/gm)].map(
      (m) => ({
        code: m[1],
        state: m[2],
        fix: m[3],
        reason: m[4],
      }),
    );
    const expected = Object.entries(ERROR_CODE_RULES).map(([code, rule]) => ({ code, ...rule }));
    expect(rows.sort((a, b) => a.code!.localeCompare(b.code!))).toEqual(
      expected.sort((a, b) => a.code.localeCompare(b.code)),
    );
  });
});
