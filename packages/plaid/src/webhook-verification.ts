/**
 * Plaid's webhook verification (plaid.com/docs/api/webhooks/webhook-verification): the `Plaid-Verification` header is
 * a JWT signed ES256. Its header's `kid` names the key, fetched with `/webhook_verification_key/get` and cached; the
 * claims carry `iat` (at most 5 minutes old) and `request_body_sha256`, the hex SHA-256 of the exact body bytes.
 */
import { createHash, createPublicKey, type KeyObject, timingSafeEqual, verify } from 'node:crypto';
import { ReconnectKitError } from '@reconnect-kit/core';

export const PLAID_VERIFICATION_HEADER = 'plaid-verification';
/** Plaid: reject webhooks whose `iat` is more than 5 minutes old. */
export const WEBHOOK_MAX_AGE_SECONDS = 300;

/** The JWK `/webhook_verification_key/get` returns. */
export interface PlaidVerificationKey {
  readonly kid: string;
  readonly kty: string;
  readonly crv: string;
  readonly x: string;
  readonly y: string;
  readonly alg: string;
  readonly expired_at: number | null;
}

/** Fetches one key by id; resolves `undefined` when Plaid does not know the id. */
export type VerificationKeySource = (kid: string) => Promise<PlaidVerificationKey | undefined>;

interface CachedKey {
  readonly key: KeyObject | undefined;
  readonly expiredAt: number | null;
  readonly fetchedAt: number;
}

/** Keys (and unknown ids) remembered at most; the oldest is forgotten first (forged kids cannot grow it). */
const MAX_CACHED_KEYS = 64;
/**
 * Key lookups (`/webhook_verification_key/get`) a minute at most. Anyone can post a webhook naming a new `kid`:
 * without a ceiling every forged delivery would be a Plaid API call. Plaid rotates keys rarely, so a real new key
 * is looked up well within it.
 */
export const MAX_KEY_LOOKUPS_PER_MINUTE = 10;

export interface VerifiedPlaidWebhook {
  /** When Plaid signed it (`iat`): the vendor time of the event. */
  readonly issuedAt: Date;
}

function invalid(message: string): ReconnectKitError {
  return new ReconnectKitError('webhook_signature_invalid', { message });
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // fall through: named below
  }
  throw invalid(`The Plaid-Verification JWT ${what} is not a JSON object.`);
}

/** Verifies Plaid webhooks; keeps fetched keys for `cacheMs` (one fetch per unknown `kid`, shared by callers). */
export class PlaidWebhookVerifier {
  readonly #source: VerificationKeySource;
  readonly #cacheMs: number;
  readonly #keys = new Map<string, Promise<CachedKey>>();
  /** When the lookups of the last minute started (ms), oldest first. */
  readonly #lookups: number[] = [];

  constructor(source: VerificationKeySource, cacheMs: number) {
    this.#source = source;
    this.#cacheMs = cacheMs;
  }

  async verify(rawBody: Uint8Array, headers: Headers, now: Date): Promise<VerifiedPlaidWebhook> {
    const token = headers.get(PLAID_VERIFICATION_HEADER)?.trim();
    if (!token) throw invalid('The Plaid-Verification header is missing.');
    const parts = token.split('.');
    if (parts.length !== 3 || parts.some((part) => part === '')) {
      throw invalid('The Plaid-Verification header is not a JWT.');
    }
    const [headerPart, claimsPart, signaturePart] = parts as [string, string, string];
    const header = decodeJson(headerPart, 'header');
    // Only ES256: never `none`, never an algorithm the token itself chooses.
    if (header.alg !== 'ES256') throw invalid('The Plaid-Verification JWT is not signed ES256.');
    if (typeof header.kid !== 'string' || header.kid === '')
      throw invalid('The Plaid-Verification JWT has no kid.');
    const key = await this.#key(header.kid, now);
    const signature = Buffer.from(signaturePart, 'base64url');
    const signed = verify(
      'sha256',
      Buffer.from(`${headerPart}.${claimsPart}`),
      { key, dsaEncoding: 'ieee-p1363' },
      signature,
    );
    if (!signed) throw invalid('The Plaid-Verification signature does not match its key.');
    const claims = decodeJson(claimsPart, 'claims');
    if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat))
      throw invalid('The JWT has no iat claim.');
    const ageSeconds = Math.floor(now.getTime() / 1000) - claims.iat;
    if (Math.abs(ageSeconds) > WEBHOOK_MAX_AGE_SECONDS) {
      throw new ReconnectKitError('webhook_stale', {
        message: `The Plaid-Verification JWT is ${Math.abs(ageSeconds)} s ${ageSeconds > 0 ? 'old' : 'in the future'}; at most ${WEBHOOK_MAX_AGE_SECONDS} s is accepted.`,
        details: { ageSeconds },
      });
    }
    const claimed = Buffer.from(
      typeof claims.request_body_sha256 === 'string' ? claims.request_body_sha256 : '',
    );
    const actual = Buffer.from(createHash('sha256').update(rawBody).digest('hex'));
    if (claimed.length !== actual.length || !timingSafeEqual(claimed, actual)) {
      throw invalid('The body does not match the request_body_sha256 of the Plaid-Verification JWT.');
    }
    return { issuedAt: new Date(claims.iat * 1000) };
  }

  async #key(kid: string, now: Date): Promise<KeyObject> {
    let pending = this.#keys.get(kid);
    const cached = pending ? await pending.catch(() => undefined) : undefined;
    if (!cached || now.getTime() - cached.fetchedAt > this.#cacheMs) {
      this.#spendLookup(kid, now);
      pending = this.#fetch(kid, now);
      this.#keys.delete(kid);
      this.#keys.set(kid, pending);
      if (this.#keys.size > MAX_CACHED_KEYS) this.#keys.delete(this.#keys.keys().next().value as string);
      // A failed fetch is not remembered: the next delivery asks again.
      pending.catch(() => this.#keys.delete(kid));
    }
    const entry = await (pending as Promise<CachedKey>);
    if (!entry.key) throw invalid(`Plaid does not know the webhook key ${kid}.`);
    if (entry.expiredAt !== null && entry.expiredAt * 1000 <= now.getTime()) {
      throw invalid(`The Plaid webhook key ${kid} has expired.`);
    }
    return entry.key;
  }

  #spendLookup(kid: string, now: Date): void {
    const minuteAgo = now.getTime() - 60_000;
    while (this.#lookups.length > 0 && (this.#lookups[0] as number) <= minuteAgo) this.#lookups.shift();
    if (this.#lookups.length >= MAX_KEY_LOOKUPS_PER_MINUTE) {
      throw invalid(
        `The Plaid webhook key ${kid} is not cached and ${MAX_KEY_LOOKUPS_PER_MINUTE} keys were looked up in the last minute; refused without asking Plaid.`,
      );
    }
    this.#lookups.push(now.getTime());
  }

  async #fetch(kid: string, now: Date): Promise<CachedKey> {
    const jwk = await this.#source(kid);
    if (!jwk) return { key: undefined, expiredAt: null, fetchedAt: now.getTime() };
    if (jwk.alg !== 'ES256' || jwk.kty !== 'EC' || jwk.crv !== 'P-256') {
      throw invalid(`The Plaid webhook key ${kid} is not an ES256 P-256 key.`);
    }
    const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
    return { key, expiredAt: jwk.expired_at, fetchedAt: now.getTime() };
  }
}
