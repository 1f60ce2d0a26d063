/**
 * Unit-test plumbing: fixture payloads, a Plaid-shaped fake API behind the injected fetch (answers by path, records
 * calls), and a webhook signer that signs like Plaid (ES256 JWT) with a test key.
 */
import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ManualClock, type ProviderConnection } from '@reconnect-kit/core';
import { type PlaidConfigInput, parsePlaidConfig } from './config.js';
import { PlaidProvider } from './provider.js';
import type { PlaidVerificationKey } from './webhook-verification.js';

const fixturesDir = fileURLToPath(new URL('../../../fixtures/', import.meta.url));

export function payload<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(`${fixturesDir}payloads/plaid/${name}.json`, 'utf8')) as T;
}

export const NOW = new Date('2026-12-07T12:00:00Z');

/** A P-256 key pair and the JWK Plaid would publish for it. */
export function testKey(kid: string, expiredAt: number | null = null) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { x, y } = publicKey.export({ format: 'jwk' });
  const jwk: PlaidVerificationKey = {
    kid,
    alg: 'ES256',
    kty: 'EC',
    crv: 'P-256',
    x: x ?? '',
    y: y ?? '',
    expired_at: expiredAt,
  };
  return { privateKey, jwk };
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A webhook as Plaid sends it: the body bytes and a `Plaid-Verification` JWT over them. */
export function signedWebhook(
  body: unknown,
  key: { privateKey: KeyObject; jwk: { kid: string } },
  options: { iat?: Date; header?: Record<string, unknown>; bodyHash?: string } = {},
) {
  const rawBody = new TextEncoder().encode(JSON.stringify(body, null, 2));
  const header = options.header ?? { alg: 'ES256', kid: key.jwk.kid, typ: 'JWT' };
  const claims = {
    iat: Math.floor((options.iat ?? NOW).getTime() / 1000),
    request_body_sha256: options.bodyHash ?? createHash('sha256').update(rawBody).digest('hex'),
  };
  const input = `${b64url(header)}.${b64url(claims)}`;
  const signature = sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return {
    rawBody,
    headers: new Headers({ 'plaid-verification': `${input}.${signature.toString('base64url')}` }),
  };
}

export interface RecordedCall {
  path: string;
  body: Record<string, unknown>;
  headers: Headers;
}

type Answer = { status: number; body: unknown };

/** A fake Plaid API: `answers[path]` answers each call (a function sees the request body). */
export function fakePlaid(answers: Record<string, Answer | ((body: Record<string, unknown>) => Answer)>) {
  const calls: RecordedCall[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    const body = JSON.parse(await request.text()) as Record<string, unknown>;
    calls.push({ path, body, headers: request.headers });
    const answer = answers[path];
    const { status, body: out } =
      typeof answer === 'function'
        ? answer(body)
        : (answer ?? { status: 404, body: { error_code: 'NOT_FOUND' } });
    return new Response(JSON.stringify(out), { status, headers: { 'content-type': 'application/json' } });
  };
  return { calls, fetch };
}

export const CONFIG: PlaidConfigInput = {
  clientId: 'test-client-id',
  secret: 'test-secret-value',
  baseUrl: 'https://plaid.test',
  redirectUri: 'https://host.example/plaid/callback',
  clientName: 'Test App',
  maxRetries: 0,
};

export function providerWith(fetch: typeof globalThis.fetch, config: Partial<PlaidConfigInput> = {}) {
  const clock = new ManualClock(NOW);
  return { provider: new PlaidProvider(parsePlaidConfig({ ...CONFIG, ...config }), fetch, clock), clock };
}

export const CONNECTION: ProviderConnection = {
  id: 'conn_1',
  provider: 'plaid',
  hostUserId: 'user-42',
  upstreamId: 'Ed6bjNrDLJfGvZWwnkQlfxwoNz54B5C97ejBr',
  metadata: {},
  secrets: { access_token: 'access-sandbox-de3ce8ef-33f8-452c-a685-8671031fc0f6' },
};
