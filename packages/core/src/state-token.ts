import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ReconnectKitError } from './errors.js';

export const DEFAULT_STATE_TTL_MS = 30 * 60 * 1000;

/** What a reconnect `state` token binds: one connection of one provider, one attempt (nonce), an expiry. */
export interface StateClaims {
  readonly connectionId: string;
  readonly provider: string;
  readonly nonce: string;
  readonly expiresAt: Date;
  /** Keyed digest of the host's session binding (see `sessionDigest`), when the attempt was bound to one. */
  readonly session?: string | undefined;
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
        ...(claims.session === undefined ? {} : { s: claims.session }),
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

  /**
   * The digest a state carries for a session binding (a value the host keeps in the user's browser session, such
   * as a random cookie nonce): keyed, so the state in a URL reveals nothing about the value.
   */
  sessionDigest(binding: string): string {
    // The NUL prefix keeps these MACs apart from token MACs (a token payload is base64url, never NUL).
    return this.#mac(`\u0000session\u0000${binding}`).toString('base64url');
  }

  /**
   * Throws `state_session_mismatch` unless `binding` is the one the state was minted with (constant time). A state
   * minted without a binding accepts any caller.
   */
  checkSession(claims: StateClaims, binding: string | undefined): void {
    if (claims.session === undefined) return;
    const given = Buffer.from(binding === undefined ? '' : this.sessionDigest(binding), 'utf8');
    const wanted = Buffer.from(claims.session, 'utf8');
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      throw new ReconnectKitError('state_session_mismatch', {
        details: { connectionId: claims.connectionId },
      });
    }
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
  const { c, p, n, e, s } = (raw ?? {}) as Record<string, unknown>;
  if (typeof c !== 'string' || typeof p !== 'string' || typeof n !== 'string' || typeof e !== 'number') {
    throw invalid();
  }
  if (s !== undefined && typeof s !== 'string') throw invalid();
  return { connectionId: c, provider: p, nonce: n, expiresAt: new Date(e), session: s };
}
