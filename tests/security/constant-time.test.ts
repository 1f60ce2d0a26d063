import { createRequire, syncBuiltinESMExports } from 'node:module';
import { PLAID_DEFAULT_CREDENTIALS, startPlaidMock } from '@reconnect-kit/mock-plaid';
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';

/**
 * API keys are compared in constant time, so response timing cannot spell a secret out byte by byte. Timing itself
 * is too noisy to assert; what is asserted is that the key check goes through `crypto.timingSafeEqual`.
 *
 * The spy goes on node:crypto's CommonJS object and `syncBuiltinESMExports` carries it to every ES module's
 * `import { timingSafeEqual }`, including modules another test file already loaded (the project shares one module
 * graph per worker, where a `vi.mock` would not reach them).
 */
const crypto = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');

let mock: Awaited<ReturnType<typeof startPlaidMock>>;
let timingSafeEqual: MockInstance<typeof crypto.timingSafeEqual>;
beforeAll(async () => {
  timingSafeEqual = vi.spyOn(crypto, 'timingSafeEqual');
  syncBuiltinESMExports();
  mock = await startPlaidMock({ port: 0, env: {} });
});
afterAll(async () => {
  await mock?.close();
  timingSafeEqual.mockRestore();
  syncBuiltinESMExports();
});

describe('Plaid mock API keys', () => {
  it('a wrong secret of the right length is refused through a constant-time comparison', async () => {
    const { client_id, secret } = PLAID_DEFAULT_CREDENTIALS;
    const wrong = `${secret.slice(0, -1)}${secret.endsWith('0') ? '1' : '0'}`;
    timingSafeEqual.mockClear();
    const response = await fetch(`${mock.url}/item/get`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'plaid-client-id': client_id, 'plaid-secret': wrong },
      body: JSON.stringify({ access_token: 'access-sandbox-unknown' }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error_code: string }).error_code).toBe('INVALID_API_KEYS');
    expect(timingSafeEqual).toHaveBeenCalled();
  });
});
