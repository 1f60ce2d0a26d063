/**
 * Plaid's webhook wire format: a JSON body (indented with two spaces, as Plaid sends it) and a `Plaid-Verification`
 * header holding a JWT signed ES256 with one of Plaid's keys: header `{alg: "ES256", kid, typ: "JWT"}`, claims
 * `{iat, request_body_sha256}` (hex SHA-256 of the exact body bytes). Receivers fetch the public key by `kid` from
 * `/webhook_verification_key/get` and reject tokens older than 5 minutes.
 */
import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { QueuedWebhook, WebhookScheme } from '@reconnect-kit/mock-engine';
import { newObjectId, PLAID_ENVIRONMENT } from './domain/ids.js';
import type { PlaidItem } from './domain/state.js';
import type { Ctx } from './http/api.js';

interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly createdAt: Date;
  expiredAt: Date | null;
}

function newKey(createdAt: Date): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid: crypto.randomUUID(), privateKey, publicKey, createdAt, expiredAt: null };
}

/** The JWK `/webhook_verification_key/get` answers (the OpenAPI `JWKPublicKey`). */
export interface PlaidWebhookJwk {
  alg: 'ES256';
  crv: string;
  kid: string;
  kty: string;
  use: 'sig';
  x: string;
  y: string;
  created_at: number;
  expired_at: number | null;
}

/**
 * Plaid's webhook signing keys: one current key, older ones kept (with `expired_at`) after a rotation so that
 * deliveries signed before it can still be checked. Keys outlive `POST /__admin/reset`, as Plaid's do.
 */
export class WebhookKeyRing {
  readonly #keys: SigningKey[] = [];
  /** Signs deliveries the `bad_signature` switch picked: same `kid`, a key no receiver trusts. */
  readonly #untrusted = newKey(new Date(0));

  current(now: Date): SigningKey {
    const key = this.#keys.at(-1);
    if (key) return key;
    const first = newKey(now);
    this.#keys.push(first);
    return first;
  }

  /** Starts signing with a new key; the old one stays published with `expired_at` set. */
  rotate(now: Date): { retired: string; current: string } {
    const retired = this.current(now);
    retired.expiredAt = now;
    const next = newKey(now);
    this.#keys.push(next);
    return { retired: retired.kid, current: next.kid };
  }

  jwk(kid: string): PlaidWebhookJwk | undefined {
    const key = this.#keys.find((candidate) => candidate.kid === kid);
    if (!key) return undefined;
    const { crv, kty, x, y } = key.publicKey.export({ format: 'jwk' });
    return {
      alg: 'ES256',
      crv: crv ?? 'P-256',
      kid: key.kid,
      kty: kty ?? 'EC',
      use: 'sig',
      x: x ?? '',
      y: y ?? '',
      created_at: Math.floor(key.createdAt.getTime() / 1000),
      expired_at: key.expiredAt ? Math.floor(key.expiredAt.getTime() / 1000) : null,
    };
  }

  scheme(): WebhookScheme {
    return {
      serialize: (body) => new TextEncoder().encode(JSON.stringify(body, null, 2)),
      sign: ({ body, timestamp, forged }) => {
        const key = this.current(timestamp);
        const header = { alg: 'ES256', kid: key.kid, typ: 'JWT' };
        const claims = {
          iat: Math.floor(timestamp.getTime() / 1000),
          request_body_sha256: createHash('sha256').update(body).digest('hex'),
        };
        const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
        const signature = sign('sha256', Buffer.from(signingInput), {
          key: (forged ? this.#untrusted : key).privateKey,
          dsaEncoding: 'ieee-p1363',
        });
        return { 'Plaid-Verification': `${signingInput}.${signature.toString('base64url')}` };
      },
    };
  }
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

export type ItemWebhookCode =
  | 'ERROR'
  | 'PENDING_EXPIRATION'
  | 'PENDING_DISCONNECT'
  | 'LOGIN_REPAIRED'
  | 'NEW_ACCOUNTS_AVAILABLE'
  | 'USER_PERMISSION_REVOKED'
  | 'USER_ACCOUNT_REVOKED'
  | 'WEBHOOK_UPDATE_ACKNOWLEDGED';

/**
 * Queues an `ITEM` webhook to the Item's own webhook URL (set by `/link/token/create`, `/item/webhook/update` or
 * `/sandbox/public_token/create`), or to the mock's default target when the Item has none.
 */
export function enqueueItemWebhook(
  ctx: Ctx,
  item: PlaidItem,
  code: ItemWebhookCode,
  fields: Record<string, unknown> = {},
  url: string | null = item.webhook,
): QueuedWebhook {
  item.lastWebhook = { sentAt: ctx.clock.now(), code };
  // Items linked for a Plaid user (`user_token`) name that user in their webhooks.
  const userId = item.userToken === null ? undefined : ctx.state.users.get(item.userToken)?.userId;
  return ctx.webhooks.enqueue({
    eventType: `ITEM:${code}`,
    eventId: newObjectId(),
    body: {
      webhook_type: 'ITEM',
      webhook_code: code,
      item_id: item.itemId,
      ...(userId ? { user_id: userId } : {}),
      ...fields,
      environment: PLAID_ENVIRONMENT,
    },
    ...(url ? { target: { url, secret: '' } } : {}),
  });
}
