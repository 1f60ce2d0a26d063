/** Plaid's identifier shapes: `access-sandbox-<uuid>` tokens, 37-character base62 item and account ids. */
import { randomBytes, randomUUID } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(length: number): string {
  let out = '';
  for (const byte of randomBytes(length)) out += BASE62[byte % 62];
  return out;
}

export const PLAID_ENVIRONMENT = 'sandbox';

export type TokenKind = 'access' | 'public' | 'link' | 'user';

/** `access-sandbox-…`, `public-sandbox-…`, `link-sandbox-…`, `user-sandbox-…`. */
export function newToken(kind: TokenKind): string {
  return `${kind}-${PLAID_ENVIRONMENT}-${randomUUID()}`;
}

/** Item and account ids. */
export function newObjectId(): string {
  return base62(37);
}

export function newRequestId(): string {
  return base62(15);
}

/** Plaid's timestamps: RFC 3339 in UTC, whole seconds (`2026-12-07T11:05:02Z`). */
export function plaidTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
