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

  test('admin bodies over the limit → 413 naming the limit, and nothing changes (never read as `{}`)', async () => {
    const created = await mock.request('/v1/accounts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'acc_kept' }),
    });
    expect(created.status).toBe(201);
    await created.arrayBuffer();
    const oversized = `{"pad":"${'x'.repeat(1024 * 1024)}"}`;
    const reset = await mock.admin('POST', '/reset', oversized);
    expect(reset.status).toBe(413);
    expect(reset.body).toEqual({
      error: 'payload_too_large',
      message: `request body exceeds the limit of ${1024 * 1024} bytes`,
      limit_bytes: 1024 * 1024,
    });
    const kept = await mock.request('/v1/accounts/acc_kept');
    expect(kept.status).toBe(200);
    await kept.arrayBuffer();
  });

  test('vendor bodies over the limit → 413 in the vendor error shape, naming the limit', async () => {
    const response = await mock.request('/v1/accounts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"id":"${'x'.repeat(1024 * 1024)}"}`,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      code: 413,
      name: 'payload_too_large',
      message: `request body exceeds the limit of ${1024 * 1024} bytes`,
    });
  });

  test('a 50,000-deep JSON body is journalled; GET /__admin/requests still answers, with a depth marker', async () => {
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    const echoed = await mock.request('/v1/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: deep,
    });
    expect(await echoed.text()).toBe(deep);
    const listed = await mock.admin('GET', '/requests?path=/v1/echo');
    expect(listed.status).toBe(200);
    let body = (listed.body.requests as { body: unknown }[])[0]!.body;
    let depth = 0;
    while (Array.isArray(body)) {
      body = body[0];
      depth++;
    }
    expect(depth).toBe(64);
    expect(body).toBe('[nested deeper than 64 levels: not shown]');
  });

  test('secret fields stay masked inside nested bodies', async () => {
    const echoed = await mock.request('/v1/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: [{ client_secret: 's3cret', keep: 1 }], access_token: 't', empty_token: '' }),
    });
    expect(echoed.status).toBe(200);
    await echoed.arrayBuffer();
    const listed = await mock.admin('GET', '/requests?path=/v1/echo');
    expect((listed.body.requests as { body: unknown }[])[0]!.body).toEqual({
      a: [{ client_secret: '***', keep: 1 }],
      access_token: '***',
      empty_token: '',
    });
  });

  test('invalid UTF-8 in a JSON or form body → 400 naming the problem (vendor and admin routes)', async () => {
    const invalid = new Uint8Array([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    // Without a content type the engine passes the bytes on, and the handler's req.json() refuses them.
    for (const contentType of ['application/json', 'application/x-www-form-urlencoded', 'text/plain', null]) {
      const vendor = await mock.request('/v1/accounts', {
        method: 'POST',
        headers: contentType ? { 'content-type': contentType } : {},
        body: invalid,
      });
      expect(vendor.status).toBe(400);
      expect(await vendor.json()).toEqual({
        code: 400,
        name: 'bad_request',
        message: 'request body is not valid UTF-8',
      });
    }
    const admin = await mock.request('/__admin/clock', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: invalid,
    });
    expect(admin.status).toBe(400);
    expect(await admin.json()).toEqual({ error: 'invalid_json', message: 'request body is not valid UTF-8' });
    const listed = await mock.admin('GET', '/requests?path=/v1/accounts');
    // The journal keeps the exact bytes (base64) instead of a lossy decoding.
    expect(listed.body.requests).toMatchObject([
      { status: 400, body: Buffer.from(invalid).toString('base64'), body_encoding: 'base64' },
      { status: 400 },
      { status: 400 },
      { status: 400 },
    ]);
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
