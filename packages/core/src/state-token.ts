import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ReconnectKitError } from './errors.js';

export const DEFAULT_STATE_TTL_MS = 30 * 60 * 1000;

/** What a reconnect `state` token binds: one connection of one provider, one attempt (nonce), an expiry. */
export interface StateClaims {
  readonly connectionId: string;
  readonly provider: string;
  readonly nonce: string;
  readonly expiresAt: Date;
}

/**
 * Signed, expiring reconnect state: `<base64url(JSON claims)>.<base64url(HMAC-SHA256)>`. The signature is
 * compared in constant time before anything in the payload is trusted.
 */
export class StateTokenSigner {
  readonly #key: Buffer;

  constructor(signingKey: string) {
    if (signingKey.length < 32) {
      throw new ReconnectKitError('config_invalid', {
        message: 'Invalid configuration at "stateSigningKey": must be at least 32 characters.',
        details: { field: 'stateSigningKey' },
      });
    }
    this.#key = Buffer.from(signingKey, 'utf8');
  }

  /** A fresh random nonce for one reconnect attempt. */
  static newNonce(): string {
    return randomBytes(18).toString('base64url');
  }

  sign(claims: StateClaims): string {
    const payload = Buffer.from(
      JSON.stringify({
        c: claims.connectionId,
        p: claims.provider,
        n: claims.nonce,
        e: claims.expiresAt.getTime(),
      }),
    ).toString('base64url');
    return `${payload}.${this.#mac(payload).toString('base64url')}`;
  }

  /**
   * Verifies signature, shape and expiry (`now` from the injected clock). With `expected.connectionId`, a
   * token for another connection is `state_invalid` too.
   */
  verify(
    token: string,
    now: Date,
    expected: { readonly connectionId?: string | undefined } = {},
  ): StateClaims {
    const [payload, signature, ...rest] = token.split('.');
    if (!payload || !signature || rest.length > 0) throw invalid();
    // Compare the canonical base64url text, not decoded bytes: lenient decoding would accept other spellings.
    const given = Buffer.from(signature, 'utf8');
    const wanted = Buffer.from(this.#mac(payload).toString('base64url'), 'utf8');
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) throw invalid();
    const claims = decodeClaims(payload);
    if (expected.connectionId !== undefined && claims.connectionId !== expected.connectionId) throw invalid();
    if (claims.expiresAt.getTime() <= now.getTime()) {
      throw new ReconnectKitError('state_expired', { details: { connectionId: claims.connectionId } });
    }
    return claims;
  }

  #mac(payload: string): Buffer {
    return createHmac('sha256', this.#key).update(payload).digest();
  }
}

function invalid(): ReconnectKitError {
  return new ReconnectKitError('state_invalid');
}

function decodeClaims(payload: string): StateClaims {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const { c, p, n, e } = (raw ?? {}) as Record<string, unknown>;
  if (typeof c !== 'string' || typeof p !== 'string' || typeof n !== 'string' || typeof e !== 'number') {
    throw invalid();
  }
  return { connectionId: c, provider: p, nonce: n, expiresAt: new Date(e) };
}
