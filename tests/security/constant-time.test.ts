import * as crypto from 'node:crypto';
import { PLAID_DEFAULT_CREDENTIALS, startPlaidMock } from '@reconnect-kit/mock-plaid';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * API keys are compared in constant time, so response timing cannot spell a secret out byte by byte. Timing itself
 * is too noisy to assert; what is asserted is that the key check goes through `crypto.timingSafeEqual`.
 */
vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

let mock: Awaited<ReturnType<typeof startPlaidMock>>;
beforeAll(async () => {
  mock = await startPlaidMock({ port: 0, env: {} });
});
afterAll(() => mock?.close());

describe('Plaid mock API keys', () => {
  it('a wrong secret of the right length is refused through a constant-time comparison', async () => {
    const { client_id, secret } = PLAID_DEFAULT_CREDENTIALS;
    const wrong = `${secret.slice(0, -1)}${secret.endsWith('0') ? '1' : '0'}`;
    vi.mocked(crypto.timingSafeEqual).mockClear();
    const response = await fetch(`${mock.url}/item/get`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'plaid-client-id': client_id, 'plaid-secret': wrong },
      body: JSON.stringify({ access_token: 'access-sandbox-unknown' }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error_code: string }).error_code).toBe('INVALID_API_KEYS');
    expect(vi.mocked(crypto.timingSafeEqual)).toHaveBeenCalled();
  });
});
