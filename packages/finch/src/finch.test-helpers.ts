import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ManualClock, type ProviderConnection } from '@reconnect-kit/core';
import { type FinchConfigInput, parseFinchConfig } from './config.js';
import { FinchProvider } from './finch-provider.js';

const fixturesDir = fileURLToPath(new URL('../../../fixtures/', import.meta.url));

export function fixture<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(`${fixturesDir}${path}`, 'utf8')) as T;
}

export const BASE_URL = 'https://finch.test';
export const CLIENT_ID = '9c1d8b2e-5f4a-4c3b-8e7d-6a5f4e3d2c1b';
export const CLIENT_SECRET = 'finch-client-secret-do-not-leak';
export const ACCESS_TOKEN = 'token-3f1c9a77-do-not-leak';
export const WEBHOOK_SECRET = '5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH';
export const CONNECTION_ID = 'bc3a2af9-0a9b-4c1e-9a3b-3f6d2c1e8a01';
export const COMPANY_ID = '720be419-0293-4d32-a707-32179b0827ab';

export const testConfig = (overrides: Partial<FinchConfigInput> = {}): FinchConfigInput => ({
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  redirectUri: 'https://host.example/finch/callback',
  webhookSecret: WEBHOOK_SECRET,
  baseUrl: BASE_URL,
  maxRetries: 0,
  ...overrides,
});

/** A provider on the global fetch (msw intercepts it) and a manual clock. */
export function makeProvider(overrides: Partial<FinchConfigInput> = {}): FinchProvider {
  return new FinchProvider(
    parseFinchConfig(testConfig(overrides)),
    (input, init) => globalThis.fetch(input, init),
    new ManualClock('2026-11-23T12:00:00.000Z'),
  );
}

export const connection = (
  secrets: Record<string, string> = { access_token: ACCESS_TOKEN },
): ProviderConnection => ({
  id: 'conn_1',
  provider: 'finch',
  hostUserId: 'host-user-42',
  upstreamId: CONNECTION_ID,
  upstreamParentId: COMPANY_ID,
  metadata: { provider_id: 'gusto' },
  secrets,
});

/** Requests msw saw, with their bodies read, for asserting the exact vendor calls. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Headers;
  readonly body: unknown;
}

export async function record(request: Request, journal: SeenRequest[]): Promise<void> {
  const text = await request.clone().text();
  journal.push({
    method: request.method,
    path: new URL(request.url).pathname,
    headers: request.headers,
    body: text === '' ? undefined : JSON.parse(text),
  });
}
