/**
 * Argyle user tokens: HS256 JWTs valid for one hour, with the claims seen in a real sandbox token
 * (`client_id, exp, fid, iat, iss, jti, sub, user_id`). The mock signs them with its API key secret and checks them
 * on the Link page against the mock clock. Clients must treat them as opaque, as Argyle says.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const USER_TOKEN_TTL_SECONDS = 3600;
const ISSUER = 'argyle-core-auth-prod';

export interface UserTokenClaims {
  readonly client_id: string;
  readonly exp: number;
  readonly fid: string;
  readonly iat: number;
  readonly iss: string;
  readonly jti: string;
  readonly sub: string;
  readonly user_id: string;
}

export interface IssueUserTokenInput {
  readonly userId: string;
  readonly clientId: string;
  readonly now: Date;
  readonly signingKey: string;
  readonly newId: () => string;
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

function signature(signingInput: string, key: string): Buffer {
  return createHmac('sha256', key).update(signingInput, 'utf8').digest();
}

export function issueUserToken(input: IssueUserTokenInput): string {
  const iat = Math.floor(input.now.getTime() / 1000);
  const claims: UserTokenClaims = {
    client_id: input.clientId,
    exp: iat + USER_TOKEN_TTL_SECONDS,
    fid: input.newId(),
    iat,
    iss: ISSUER,
    jti: input.newId(),
    sub: input.userId,
    user_id: input.userId,
  };
  const signingInput = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
  return `${signingInput}.${base64url(signature(signingInput, input.signingKey))}`;
}

export type UserTokenCheck =
  | { readonly ok: true; readonly userId: string }
  | { readonly ok: false; readonly errorType: 'invalid_user_token' | 'expired_user_token' };

/** Verifies signature and expiry; the error types are Link's own (`invalid_user_token`, `expired_user_token`). */
export function verifyUserToken(token: string, signingKey: string, now: Date): UserTokenCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, errorType: 'invalid_user_token' };
  const [header, payload, received] = parts as [string, string, string];
  const expected = signature(`${header}.${payload}`, signingKey);
  const given = Buffer.from(received, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, errorType: 'invalid_user_token' };
  }
  let claims: Partial<UserTokenClaims>;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<UserTokenClaims>;
  } catch {
    return { ok: false, errorType: 'invalid_user_token' };
  }
  if (typeof claims.user_id !== 'string' || typeof claims.exp !== 'number') {
    return { ok: false, errorType: 'invalid_user_token' };
  }
  if (now.getTime() >= claims.exp * 1000) return { ok: false, errorType: 'expired_user_token' };
  return { ok: true, userId: claims.user_id };
}
