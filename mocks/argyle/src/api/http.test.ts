import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { type ArgyleHarness, BASIC_AUTH, startHarness } from '../argyle.test-helpers.js';
import { startArgyleMock } from '../index.js';

const harness: ArgyleHarness = await startHarness();
afterAll(() => harness.close());
beforeEach(() => harness.reset());

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('authentication', () => {
  test('the default api_key_id / api_key_secret are accepted', async () => {
    const { status } = await harness.api('GET', '/v2/accounts', undefined, {
      headers: { authorization: BASIC_AUTH },
    });
    expect(status).toBe(200);
  });

  test('a wrong secret or id gives 401 {"detail": "Invalid username/password."} and a Basic challenge', async () => {
    for (const authorization of [
      basic('argyle-mock-api-key-id', 'wrong'),
      basic('wrong', 'argyle-mock-api-key-secret'),
      'Basic !!!',
    ]) {
      const result = await harness.api('GET', '/v2/users', undefined, { headers: { authorization } });
      expect(result.status).toBe(401);
      expect(result.body).toEqual({ detail: 'Invalid username/password.' });
      expect(result.headers.get('www-authenticate')).toBe('Basic realm="api"');
    }
  });

  test('no credentials gives DRF "Authentication credentials were not provided." and nothing is created', async () => {
    const result = await harness.api('POST', '/v2/users', {}, { headers: { authorization: 'Bearer x' } });
    expect(result.status).toBe(401);
    expect(result.body).toEqual({ detail: 'Authentication credentials were not provided.' });
    const users = await harness.api<{ results: unknown[] }>('GET', '/v2/users');
    expect(users.body.results).toEqual([]);
  });

  test('an id without a colon means an empty secret, and an id holding a colon can never sign in', async () => {
    for (const [credentials, authorization, status] of [
      [
        { api_key_id: 'id-only', api_key_secret: '' },
        `Basic ${Buffer.from('id-only').toString('base64')}`,
        200,
      ],
      [{ api_key_id: 'id-only', api_key_secret: '' }, basic('id-only', ''), 200],
      [{ api_key_id: 'id-only', api_key_secret: '' }, basic('id-only', 'x'), 401],
      [{ api_key_id: 'a:b', api_key_secret: 'c' }, basic('a', 'b:c'), 401],
    ] as const) {
      const mock = await startArgyleMock({ port: 0, credentials, env: {} });
      try {
        const result = await fetch(`${mock.url}/v2/accounts`, { headers: { authorization } });
        expect(result.status, `${JSON.stringify(credentials)} ${authorization}`).toBe(status);
      } finally {
        await mock.close();
      }
    }
  });

  test('credentials can be overridden by environment variables', async () => {
    const mock = await startArgyleMock({
      port: 0,
      env: { ARGYLE_MOCK_API_KEY_ID: 'env-id', ARGYLE_MOCK_API_KEY_SECRET: 'env-secret' },
    });
    try {
      const ok = await fetch(`${mock.url}/v2/accounts`, {
        headers: { authorization: basic('env-id', 'env-secret') },
      });
      expect(ok.status).toBe(200);
      const old = await fetch(`${mock.url}/v2/accounts`, { headers: { authorization: BASIC_AUTH } });
      expect(old.status).toBe(401);
    } finally {
      await mock.close();
    }
  });
});

describe('DRF errors and headers', () => {
  test('API responses carry the recorded headers, including DRF Allow', async () => {
    const { headers } = await harness.api('POST', '/v2/users', {});
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('cache-control')).toBe('no-cache, no-store');
    expect(headers.get('allow')).toBe('GET, POST, HEAD, OPTIONS');
    expect(headers.get('x-frame-options')).toBe('DENY');
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('x-client-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('unknown ids and unknown routes answer 404 {"detail": "Not found."}', async () => {
    for (const path of [
      '/v2/accounts/019c0b39-0b68-7b0c-8c2e-9d1a7f3b5e02',
      '/v2/users/nope',
      '/v2/invites/nope',
      '/v2/webhooks/nope',
      '/v2/nothing-here',
    ]) {
      const result = await harness.api('GET', path);
      expect(result.status, path).toBe(404);
      expect(result.body).toEqual({ detail: 'Not found.' });
    }
  });

  test('a method the path does not allow is a DRF 405', async () => {
    const result = await harness.api('PUT', '/v2/accounts', {});
    expect(result.status).toBe(405);
    expect(result.body).toEqual({ detail: 'Method "PUT" not allowed.' });
  });

  test('malformed JSON and non-object bodies are 400s that say so', async () => {
    const malformed = await harness.api('POST', '/v2/users', undefined, {
      body: '{"oops"',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect((malformed.body as { detail: string }).detail).toMatch(/^JSON parse error/);
    const list = await harness.api('POST', '/v2/users', []);
    expect(list.status).toBe(400);
    expect(list.body).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
  });

  test('an injected 429 fault answers in DRF shape with Retry-After', async () => {
    const fault = await harness.admin('POST', '/faults', {
      method: 'GET',
      path: '/v2/accounts',
      status: 429,
      retry_after: 7,
      times: 1,
    });
    expect(fault.status).toBe(201);
    const throttled = await harness.api('GET', '/v2/accounts');
    expect(throttled.status).toBe(429);
    expect(throttled.body).toEqual({ detail: 'Request was throttled.' });
    expect(throttled.headers.get('retry-after')).toBe('7');
    expect((await harness.api('GET', '/v2/accounts')).status).toBe(200);
  });

  test('Allow lists HEAD only where GET is allowed', async () => {
    const scan = await harness.api('POST', '/v2/accounts/unknown/periodic-scan');
    expect(scan.headers.get('allow')).toBe('POST, OPTIONS');
  });
});
