import { describe, expect, it } from 'vitest';
import { thrownCode } from './error-code.test-helpers.js';
import { StateTokenSigner } from './state-token.js';

const signer = new StateTokenSigner('state-signing-key-for-tests-0123456789');
const now = new Date('2026-01-01T00:00:00.000Z');
const claims = {
  connectionId: 'conn_1',
  provider: 'example',
  nonce: 'nonce_1',
  expiresAt: new Date(now.getTime() + 30 * 60 * 1000),
};

describe('StateTokenSigner', () => {
  it('round-trips the bound claims', () => {
    const token = signer.sign(claims);
    expect(signer.verify(token, now)).toEqual(claims);
    expect(signer.verify(token, now, { connectionId: 'conn_1' })).toEqual(claims);
  });

  it('rejects tampering, another key, malformed tokens and another connection as state_invalid', () => {
    const token = signer.sign(claims);
    const [payload, signature] = token.split('.') as [string, string];
    const otherPayload = Buffer.from(
      Buffer.from(payload, 'base64url').toString().replace('conn_1', 'conn_2'),
    ).toString('base64url');
    const other = new StateTokenSigner('another-signing-key-for-tests-98765432');
    for (const bad of [
      `${otherPayload}.${signature}`,
      `${payload}.${signature.slice(0, -2)}`,
      `${payload}.`,
      payload,
      `${token}.extra`,
      other.sign(claims),
      `${Buffer.from('not json').toString('base64url')}.${signature}`,
    ]) {
      expect(thrownCode(() => signer.verify(bad, now))).toBe('state_invalid');
    }
    expect(thrownCode(() => signer.verify(token, now, { connectionId: 'conn_2' }))).toBe('state_invalid');
  });

  it('expires at expiresAt on the given clock time', () => {
    const token = signer.sign(claims);
    expect(thrownCode(() => signer.verify(token, new Date(claims.expiresAt.getTime() - 1)))).toBe('none');
    expect(thrownCode(() => signer.verify(token, claims.expiresAt))).toBe('state_expired');
  });

  it('binds a state to a session: only the same binding passes; unbound states accept any caller', () => {
    const bound = signer.verify(
      signer.sign({ ...claims, session: signer.sessionDigest('cookie-nonce-1') }),
      now,
    );
    expect(thrownCode(() => signer.checkSession(bound, 'cookie-nonce-1'))).toBe('none');
    for (const wrong of ['cookie-nonce-2', '', undefined]) {
      expect(thrownCode(() => signer.checkSession(bound, wrong))).toBe('state_session_mismatch');
    }
    // The digest is keyed: another signer's digest of the same value does not pass, and the value is not in it.
    const other = new StateTokenSigner('another-signing-key-for-tests-98765432');
    expect(other.sessionDigest('cookie-nonce-1')).not.toBe(bound.session);
    expect(bound.session).not.toContain('cookie-nonce-1');
    const unbound = signer.verify(signer.sign(claims), now);
    expect(thrownCode(() => signer.checkSession(unbound, undefined))).toBe('none');
    expect(thrownCode(() => signer.checkSession(unbound, 'anything'))).toBe('none');
  });

  it('refuses a short signing key', () => {
    expect(thrownCode(() => new StateTokenSigner('short'))).toBe('config_invalid');
  });

  it('mints distinct nonces', () => {
    expect(StateTokenSigner.newNonce()).not.toBe(StateTokenSigner.newNonce());
  });
});
