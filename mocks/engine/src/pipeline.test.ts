import { describe, expect, test } from 'vitest';
import { TRANSPORTS, useHarness } from './testing/harness.js';

describe.each(TRANSPORTS)('pipeline over %s', (transport) => {
  const mock = useHarness(transport);

  test('routes static and parameterised paths, with query and trailing slash', async () => {
    const one = await mock.request('/v1/accounts/acc_1/');
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual({ id: 'acc_1', status: 'connected' });
    const list = await mock.request('/v1/accounts?status=disconnected');
    expect(await list.json()).toEqual({ results: [], next: null });
    const file = await mock.request('/v1/files/a/b%20c.txt');
    expect(await file.json()).toEqual({ file: 'a/b%20c.txt' });
  });

  test('MockHttpError answers with the vendor error body', async () => {
    const response = await mock.request('/v1/accounts/nope');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: 'account nope not found' });
  });

  test('unknown route → 404 JSON in the vendor error shape; wrong method → 405 with Allow', async () => {
    const missing = await mock.request('/v9/unknown');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/json');
    expect(await missing.json()).toEqual({
      code: 404,
      name: 'not_found',
      message: 'the testprov mock has no route GET /v9/unknown',
    });
    const root = await mock.request('/');
    expect(root.status).toBe(404);
    expect(await root.json()).toMatchObject({ message: 'the testprov mock has no route GET /' });
    const wrongMethod = await mock.request('/v1/echo');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  test('a handler that throws → 500 with a body saying what failed', async () => {
    const response = await mock.request('/v1/boom');
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      code: 500,
      name: 'internal_error',
      message: 'the mock failed while handling GET /v1/boom: handler exploded',
    });
  });

  test('malformed JSON body → 400 from req.json()', async () => {
    const response = await mock.request('/v1/accounts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"id": ',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { message: string };
    expect(body.message).toMatch(/^request body is not valid JSON/);
  });

  test('raw body bytes reach the handler unchanged', async () => {
    const bytes = new Uint8Array([0, 255, 1, 254, 0x7b, 0x0a, 0xc3]);
    const response = await mock.request('/v1/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
  });

  test('form bodies parse', async () => {
    const response = await mock.request('/v1/form', {
      method: 'POST',
      body: new URLSearchParams({ username: 'test_1', password: 'passgood' }),
    });
    expect(await response.json()).toEqual({ username: 'test_1', password: 'passgood' });
  });

  test('bodies over 1 MB → 413, recorded in the journal', async () => {
    const response = await mock.request('/v1/echo', {
      method: 'POST',
      body: new Uint8Array(1024 * 1024 + 1),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ name: 'payload_too_large' });
    const atLimit = await mock.request('/v1/echo', { method: 'POST', body: new Uint8Array(1024 * 1024) });
    expect(atLimit.status).toBe(200);
    // Read every body: an unread body left on a socket trips an undici assertion under msw's interceptor.
    expect((await atLimit.arrayBuffer()).byteLength).toBe(1024 * 1024);
    const { body } = await mock.admin('GET', '/requests?path=/v1/echo');
    expect((body.requests as { status: number }[]).map((entry) => entry.status)).toEqual([413, 200]);
  });

  test('handlers see baseUrl, url, headers and the credentials', async () => {
    const response = await mock.request('/v1/whoami?x=1', {
      headers: { authorization: 'Bearer test-secret' },
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.authorized).toBe(true);
    expect(body.url).toBe(`${mock.baseUrl}/v1/whoami?x=1`);
    expect(body.base_url).toBe(mock.baseUrl);
  });

  test('state changes persist until POST /__admin/reset', async () => {
    const created = await mock.request('/v1/accounts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'acc_2' }),
    });
    expect(created.status).toBe(201);
    expect((await mock.request('/v1/accounts/acc_2')).status).toBe(200);
    expect(await mock.admin('POST', '/reset')).toEqual({ status: 200, body: { reset: true } });
    expect((await mock.request('/v1/accounts/acc_2')).status).toBe(404);
  });

  test('ids from ctx.newId are prefixed, time-ordered UUID v7', async () => {
    const post = () =>
      mock.request('/v1/accounts', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
    const first = ((await (await post()).json()) as { id: string }).id;
    await mock.admin('POST', '/clock', { advance_ms: 5 });
    const second = ((await (await post()).json()) as { id: string }).id;
    expect(first).toMatch(/^acc_[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second > first).toBe(true);
  });
});
