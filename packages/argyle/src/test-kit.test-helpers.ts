import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProviderConnection } from '@reconnect-kit/core';
import type { ArgyleAccount } from './generated/account.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures');

export function loadPayload<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(fixtures, 'payloads', 'argyle', name), 'utf8')) as T;
}

export interface SignatureVector {
  readonly description: string;
  readonly secret: string;
  readonly body: string;
  readonly signature: string;
  readonly valid: boolean;
}

export function loadVectors(): SignatureVector[] {
  return JSON.parse(readFileSync(join(fixtures, 'vectors', 'argyle.json'), 'utf8')) as SignatureVector[];
}

/** Signs exact bytes like Argyle (hex HMAC-SHA512) and returns them with the delivery headers. */
export function signedBody(body: string, secret: string): { rawBody: Uint8Array; headers: Headers } {
  const signature = createHmac('sha512', secret).update(body).digest('hex');
  return {
    rawBody: new TextEncoder().encode(body),
    headers: new Headers({ 'content-type': 'application/json', 'x-argyle-signature': signature }),
  };
}

/** Serialises like Argyle does (2-space pretty JSON, no trailing newline), then signs. */
export function signedWebhook(payload: unknown, secret: string): { rawBody: Uint8Array; headers: Headers } {
  return signedBody(JSON.stringify(payload, null, 2), secret);
}

export const connectedAccount = (): ArgyleAccount => loadPayload<ArgyleAccount>('account.connected.json');

/** The fixture account with another connection status/code. */
export function accountWith(connection: Partial<ArgyleAccount['connection']>): ArgyleAccount {
  const account = connectedAccount();
  return { ...account, connection: { ...account.connection, ...connection } };
}

export function connectionFor(
  account: ArgyleAccount,
  metadata: Record<string, string> = {},
): ProviderConnection {
  return {
    id: 'conn_1',
    provider: 'argyle',
    hostUserId: 'host-user-42',
    upstreamId: account.id,
    upstreamParentId: account.user,
    metadata,
    secrets: {},
  };
}
