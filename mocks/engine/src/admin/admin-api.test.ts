import { describe, expect, test } from 'vitest';
import { TRANSPORTS, useHarness } from '../testing/harness.js';

interface JournalRow {
  method: string;
  route: string | null;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  body: unknown;
  status: number | null;
  fault?: string;
}

describe.each(TRANSPORTS)('admin API over %s', (transport) => {
  const mock = useHarness(transport);
  const journal = async (query = '') =>
    (await mock.admin('GET', `/requests${query}`)).body.requests as JournalRow[];

  test('GET /__admin/health', async () => {
    const { status, body } = await mock.admin('GET', '/health');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', provider: 'testprov' });
  });

  test('unknown admin endpoint → 404, wrong verb → 405, broken JSON → 400', async () => {
    expect(await mock.admin('GET', '/nope')).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await mock.admin('PATCH', '/clock', {})).toMatchObject({
      status: 405,
      body: { message: '/__admin/clock accepts GET, POST' },
    });
    expect(await mock.admin('POST', '/clock', '{"advance_ms": ')).toMatchObject({
      status: 400,
      body: { error: 'invalid_json' },
    });
  });

  describe('request journal', () => {
    test('records method, path, query, masked headers and body, and status; admin calls are not journaled', async () => {
      await (
        await mock.request('/v1/accounts?status=connected&access_token=abc', {
          method: 'GET',
          headers: { authorization: 'Basic dXNlcjpwYXNz', 'x-api-key': 'k-123', 'x-trace': 't-1' },
        })
      ).text();
      await (
        await mock.request('/v1/accounts', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer tok_secret' },
          body: JSON.stringify({ id: 'acc_9', client_secret: 'shh', nested: { refresh_token: 'r' } }),
        })
      ).text();
      await mock.admin('GET', '/health');
      const rows = await journal();
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({
        method: 'GET',
        path: '/v1/accounts',
        route: '/v1/accounts',
        query: { status: 'connected', access_token: '***' },
        status: 200,
        body: null,
      });
      expect(rows[0]!.headers).toMatchObject({
        authorization: 'Basic ***',
        'x-api-key': '***',
        'x-trace': 't-1',
      });
      expect(rows[1]).toMatchObject({
        method: 'POST',
        status: 201,
        body: { id: 'acc_9', client_secret: '***', nested: { refresh_token: '***' } },
      });
      expect(rows[1]!.headers.authorization).toBe('Bearer ***');
      expect(JSON.stringify(rows)).not.toMatch(/dXNlcjpwYXNz|tok_secret|shh|k-123/);
    });

    test('?path= and ?method= filter GET and DELETE; DELETE without filters clears all', async () => {
      for (const path of ['/v1/accounts', '/v1/accounts/acc_1', '/v1/accounts/nope']) {
        await (await mock.request(path)).text();
      }
      await (await mock.request('/v1/form', { method: 'POST', body: 'a=1' })).text();
      expect((await journal('?path=/v1/accounts/:id')).map((row) => row.status)).toEqual([200, 404]);
      await (await mock.request('/v9/unknown')).text();
      expect((await journal()).map((row) => row.route)).toEqual([
        '/v1/accounts',
        '/v1/accounts/:id',
        '/v1/accounts/:id',
        '/v1/form',
        null,
      ]);
      expect((await journal('?method=post')).map((row) => row.path)).toEqual(['/v1/form']);
      expect(await journal('?path=/v1/accounts&method=GET')).toHaveLength(1);
      expect(await mock.admin('GET', '/requests?pathx=/v1')).toMatchObject({
        status: 400,
        body: { message: 'invalid query: Unrecognized key: "pathx"' },
      });
      expect(await mock.admin('DELETE', '/requests?path=/v1/accounts/:id')).toEqual({
        status: 200,
        body: { cleared: 2 },
      });
      expect((await journal()).map((row) => row.path)).toEqual(['/v1/accounts', '/v1/form', '/v9/unknown']);
      expect(await mock.admin('DELETE', '/requests')).toEqual({ status: 200, body: { cleared: 3 } });
      expect(await journal()).toEqual([]);
    });
  });

  describe('faults', () => {
    test('429 with Retry-After, applied `times` times, then the real route', async () => {
      const created = await mock.admin('POST', '/faults', {
        method: 'GET',
        path: '/v1/accounts/:id',
        status: 429,
        retry_after: 7,
        times: 2,
      });
      expect(created).toMatchObject({
        status: 201,
        body: { id: expect.stringMatching(/^fault_/), status: 429, remaining: 2 },
      });
      for (let attempt = 0; attempt < 2; attempt++) {
        const limited = await mock.request('/v1/accounts/acc_1');
        expect(limited.status).toBe(429);
        expect(limited.headers.get('retry-after')).toBe('7');
        expect(await limited.json()).toEqual({ code: 429, name: 'fault', message: expect.any(String) });
      }
      const ok = await mock.request('/v1/accounts/acc_1');
      expect(ok.status).toBe(200);
      await ok.text();
      const id = created.body.id;
      expect((await journal()).map((row) => row.fault ?? null)).toEqual([id, id, null]);
      expect(await mock.admin('GET', '/faults')).toEqual({ status: 200, body: { faults: [] } });
    });

    test('faults match only their method and path', async () => {
      await mock.admin('POST', '/faults', { method: 'POST', path: '/v1/accounts', status: 503 });
      const get = await mock.request('/v1/accounts');
      expect(get.status).toBe(200);
      await get.text();
      const post = await mock.request('/v1/accounts', { method: 'POST', body: '{}' });
      expect(post.status).toBe(503);
      await post.text();
    });

    test('delay_ms delays the real answer', async () => {
      await mock.admin('POST', '/faults', { path: '/v1/accounts', delay_ms: 120, times: 1 });
      const started = performance.now();
      const response = await mock.request('/v1/accounts');
      expect(response.status).toBe(200);
      await response.text();
      expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    });

    test('reset_connection drops the connection (fetch rejects)', async () => {
      const fault = await mock.admin('POST', '/faults', {
        path: '/v1/accounts',
        reset_connection: true,
        times: 1,
      });
      await expect(mock.request('/v1/accounts')).rejects.toThrow(TypeError);
      const after = await mock.request('/v1/accounts');
      expect(after.status).toBe(200);
      await after.text();
      expect((await journal())[0]).toMatchObject({ status: null, fault: fault.body.id });
    });

    test('malformed_body truncates the real body so it no longer parses', async () => {
      await mock.admin('POST', '/faults', { path: '/v1/accounts/:id', malformed_body: true });
      const response = await mock.request('/v1/accounts/acc_1');
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(() => JSON.parse(text)).toThrow();
      expect(JSON.stringify({ id: 'acc_1', status: 'connected' }).startsWith(text)).toBe(true);
    });

    test('DELETE clears; invalid faults are rejected with the field named', async () => {
      await mock.admin('POST', '/faults', { status: 500 });
      expect(await mock.admin('DELETE', '/faults')).toEqual({ status: 200, body: { cleared: 1 } });
      const unknownField = await mock.admin('POST', '/faults', { status: 500, retry: 1 });
      expect(unknownField).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
      expect(unknownField.body.message).toContain('"retry"');
      const noEffect = await mock.admin('POST', '/faults', { path: '/v1/accounts' });
      expect(noEffect.status).toBe(400);
      expect(noEffect.body.message).toContain('at least one of');
      const badStatus = await mock.admin('POST', '/faults', { status: 42 });
      expect(badStatus.body.issues).toEqual([{ path: 'status', message: expect.any(String) }]);
      const response = await mock.request('/v1/accounts');
      expect(response.status).toBe(200);
      await response.text();
    });
  });

  describe('clock', () => {
    const handlerNow = async () => ((await (await mock.request('/v1/whoami')).json()) as { now: string }).now;

    test('follows real time; advance_ms moves it; set freezes it; reset restores real time', async () => {
      const before = Date.now();
      const initial = await mock.admin('GET', '/clock');
      expect(initial.body.frozen).toBe(false);
      expect(Date.parse(initial.body.now as string)).toBeGreaterThanOrEqual(before - 5);

      const advanced = await mock.admin('POST', '/clock', { advance_ms: 3_600_000 });
      expect(advanced.body.offset_ms).toBeGreaterThanOrEqual(3_599_000);
      expect(Date.parse(await handlerNow())).toBeGreaterThanOrEqual(before + 3_600_000);

      await mock.admin('POST', '/clock', { set: '2030-01-02T03:04:05.000Z' });
      expect(await handlerNow()).toBe('2030-01-02T03:04:05.000Z');
      await mock.admin('POST', '/clock', { advance_ms: 1000 });
      expect(await handlerNow()).toBe('2030-01-02T03:04:06.000Z');

      await mock.admin('POST', '/reset');
      expect((await mock.admin('GET', '/clock')).body).toMatchObject({ frozen: false });
      expect(Math.abs(Date.parse(await handlerNow()) - Date.now())).toBeLessThan(1000);
    });

    test('rejects both or neither of advance_ms/set, bad dates and unknown fields', async () => {
      for (const body of [
        {},
        { advance_ms: 1, set: '2030-01-01T00:00:00Z' },
        { set: 'tomorrow' },
        { freeze: true },
      ]) {
        expect((await mock.admin('POST', '/clock', body)).status).toBe(400);
      }
      expect((await mock.admin('POST', '/clock', { freeze: true })).body.message).toContain('"freeze"');
      expect((await mock.admin('GET', '/clock')).body.offset_ms).toBeLessThan(1000);
    });
  });

  describe('scenarios', () => {
    test('GET lists the catalogue merged with the definitions', async () => {
      const { body } = await mock.admin('GET', '/scenarios');
      expect(body.provider).toBe('testprov');
      expect(body.scenarios).toEqual([
        expect.objectContaining({
          id: 'account_disconnected',
          implemented: true,
          expected_state: 'needs_reauth',
        }),
        expect.objectContaining({ id: 'two_events', implemented: true, catalogued: true }),
        expect.objectContaining({ id: 'not_built_yet', implemented: false }),
      ]);
    });

    test('POST runs the scenario and reports what changed and which webhooks were queued', async () => {
      const { status, body } = await mock.admin('POST', '/scenarios/account_disconnected', {
        target: 'acc_1',
        reason: 'password_changed',
      });
      expect(status).toBe(200);
      expect(body).toMatchObject({
        scenario: 'account_disconnected',
        changed: { account: { id: 'acc_1', status: 'disconnected' } },
        webhooks: [{ id: expect.any(String), eventType: 'account.disconnected' }],
      });
      const account = await mock.request('/v1/accounts/acc_1');
      expect(await account.json()).toEqual({ id: 'acc_1', status: 'disconnected' });
    });

    test('unknown id → 404 listing known ids; unknown target → the scenario 404; unknown field → 400', async () => {
      expect(await mock.admin('POST', '/scenarios/nope', { target: 'acc_1' })).toEqual({
        status: 404,
        body: {
          error: 'unknown_scenario',
          message: 'unknown scenario "nope"; known: account_disconnected, two_events',
          known: ['account_disconnected', 'two_events'],
        },
      });
      expect(await mock.admin('POST', '/scenarios/account_disconnected', { target: 'acc_x' })).toMatchObject({
        status: 404,
        body: { error: 'target_not_found' },
      });
      const extra = await mock.admin('POST', '/scenarios/account_disconnected', {
        target: 'acc_1',
        colour: 'red',
      });
      expect(extra.status).toBe(400);
      expect(extra.body.message).toContain('"colour"');
      const account = await mock.request('/v1/accounts/acc_1');
      expect(await account.json()).toEqual({ id: 'acc_1', status: 'connected' });
    });
  });

  describe('webhook settings', () => {
    test('PUT merges settings, GET shows them without the secret', async () => {
      const { status, body } = await mock.admin('PUT', '/webhooks', {
        url: 'http://127.0.0.1:9/hook',
        secret: 'hook-secret',
        retry_policy: { max_attempts: 2 },
        duplicate: 0.5,
        reorder: true,
      });
      expect(status).toBe(200);
      expect(body).toMatchObject({
        url: 'http://127.0.0.1:9/hook',
        secret_set: true,
        retry_policy: { max_attempts: 2, backoff_ms: 500, timeout_ms: 5000 },
        duplicate: 0.5,
        reorder: true,
        stale_timestamp: false,
        bad_signature: false,
        deliveries: [],
      });
      expect(JSON.stringify(body)).not.toContain('hook-secret');
      expect(mock.instance.ctx.config).toMatchObject({
        webhookUrl: 'http://127.0.0.1:9/hook',
        webhookSecret: 'hook-secret',
      });
      expect((await mock.admin('GET', '/webhooks')).body).toEqual(body);
    });

    test('rejects out-of-range switches, bad URLs and unknown fields; nothing changes', async () => {
      expect((await mock.admin('PUT', '/webhooks', { duplicate: 1.5 })).body.issues).toEqual([
        { path: 'duplicate', message: expect.any(String) },
      ]);
      expect((await mock.admin('PUT', '/webhooks', { url: 'ftp://x' })).status).toBe(400);
      const unknown = await mock.admin('PUT', '/webhooks', { retry_policy: { attempts: 3 } });
      expect(unknown.body.message).toContain('"attempts"');
      expect((await mock.admin('GET', '/webhooks')).body).toMatchObject({ url: null, duplicate: false });
    });
  });
});
