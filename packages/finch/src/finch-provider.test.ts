import { inspect } from 'node:util';
import { isReconnectKitError, ManualClock, type StartContext } from '@reconnect-kit/core';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseFinchConfig } from './config.js';
import {
  ACCESS_TOKEN,
  BASE_URL,
  CLIENT_ID,
  CLIENT_SECRET,
  COMPANY_ID,
  CONNECTION_ID,
  connection,
  fixture,
  makeProvider,
  record,
  type SeenRequest,
  testConfig,
} from './finch.test-helpers.js';
import { FinchProvider } from './finch-provider.js';

const server = setupServer();
let journal: SeenRequest[] = [];
const thrown: unknown[] = [];
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  server.resetHandlers();
  journal = [];
});
afterAll(() => server.close());

/** Every error a test provokes is kept, so the last test can check none of them carries a secret. */
async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  const error = await promise.then(
    () => expect.unreachable('expected a failure'),
    (caught: unknown) => caught,
  );
  thrown.push(error);
  return error as Error & { code?: string };
}

const respond = (
  method: 'get' | 'post',
  path: string,
  status: number,
  body: unknown,
  headers?: Record<string, string>,
) =>
  http[method](`${BASE_URL}${path}`, async ({ request }) => {
    await record(request, journal);
    return HttpResponse.json(body as object, { status, ...(headers ? { headers } : {}) });
  });

const introspectConnected = fixture('payloads/finch/introspect.connected.json');
const basicAuth = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
const NOW = new Date('2026-11-23T12:00:00.000Z');
const ctx = (overrides: Partial<StartContext> = {}): StartContext => ({
  state: 'st.signed-state_1',
  expiresAt: new Date(NOW.getTime() + 15 * 60_000),
  now: NOW,
  ...overrides,
});

describe('fetchStatus', () => {
  it.each([
    ['introspect.connected', 'connected'],
    ['introspect.reauth', 'needs_reauth'],
    ['introspect.minimal-error-permissions', 'needs_credentials'],
  ])('reads GET /introspect with the connection token (%s → %s)', async (name, state) => {
    server.use(respond('get', '/introspect', 200, fixture(`payloads/finch/${name}.json`)));
    const status = await makeProvider().fetchStatus(connection());
    expect(status.state).toBe(state);
    expect(status.checkedAt).toEqual(NOW);
    expect(journal.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /introspect']);
    expect(journal[0]?.headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(journal[0]?.headers.get('finch-api-version')).toBe('2020-09-17');
  });

  it('keeps Finch’s status and message and reports the company id', async () => {
    server.use(respond('get', '/introspect', 200, fixture('payloads/finch/introspect.reauth.json')));
    const status = await makeProvider().fetchStatus(connection());
    expect(status).toMatchObject({
      state: 'needs_reauth',
      vendor: { status: 'reauth', message: 'This employer must reauthenticate to continue syncing' },
      problem: { fix: 'reenter_credentials' },
      upstreamParentId: COMPANY_ID,
    });
  });

  it.each([
    ['error.reauthenticate-user', 401, 'needs_reauth'],
    ['error.invalid-token', 401, 'revoked'],
    ['error.bad-gateway', 502, 'degraded'],
  ])('turns a classified %s (HTTP %i) into a %s status', async (name, httpStatus, state) => {
    server.use(respond('get', '/introspect', httpStatus, fixture(`payloads/finch/${name}.json`)));
    await expect(makeProvider().fetchStatus(connection())).resolves.toMatchObject({
      state,
      problem: { state },
    });
  });

  it('throws upstream_error for an error that says nothing about the connection', async () => {
    server.use(respond('get', '/introspect', 400, fixture('payloads/finch/error.connection-not-found.json')));
    const error = await failure(makeProvider().fetchStatus(connection()));
    expect(error).toMatchObject({ code: 'upstream_error', message: expect.stringContaining('HTTP 400') });
  });

  it('a rate-limited /introspect is upstream_rate_limited with retryAfterMs, not a degraded connection', async () => {
    server.use(
      respond('get', '/introspect', 429, fixture('payloads/finch/error.rate-limited.json'), {
        'retry-after': '30',
      }),
    );
    const error = await failure(makeProvider().fetchStatus(connection()));
    expect(error).toMatchObject({ code: 'upstream_rate_limited', details: { retryAfterMs: 30_000 } });
  });

  it('retries transient failures as configured (resilient fetch, on the injected clock), then reads the status', async () => {
    const clock = new ManualClock(NOW);
    const provider = new FinchProvider(
      parseFinchConfig(testConfig({ maxRetries: 1 })),
      (input, init) => globalThis.fetch(input, init),
      clock,
    );
    const callTimes: number[] = [];
    server.use(
      http.get(`${BASE_URL}/introspect`, () => {
        callTimes.push(clock.now().getTime());
        return callTimes.length === 1
          ? HttpResponse.json(fixture('payloads/finch/error.bad-gateway.json'), {
              status: 502,
              headers: { 'retry-after': '2' },
            })
          : HttpResponse.json(introspectConnected);
      }),
    );
    const pending = provider.fetchStatus(connection());
    let settled = false;
    pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let i = 0; i < 100 && !settled; i += 1) await clock.advance(100);
    await expect(pending).resolves.toMatchObject({ state: 'connected' });
    expect(callTimes).toHaveLength(2);
    // The retry waited for Finch's Retry-After on the clock.
    expect((callTimes[1] ?? 0) - (callTimes[0] ?? 0)).toBeGreaterThanOrEqual(2_000);
  });

  it('refuses a connection without an access_token secret, without calling Finch', async () => {
    const error = await failure(makeProvider().fetchStatus(connection({})));
    expect(error).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('access_token') });
    expect(journal).toEqual([]);
  });
});

describe('startReconnection (reauthenticate_session)', () => {
  const session = fixture('payloads/finch/connect-session.reauthenticate.json');

  it('reads /introspect, opens a reauth session for the same connection, and appends the state', async () => {
    server.use(
      respond('get', '/introspect', 200, introspectConnected),
      respond('post', '/connect/sessions/reauthenticate', 201, session),
    );
    const action = await makeProvider({ products: ['company', 'directory'] }).startReconnection(
      connection(),
      ctx(),
    );
    expect(journal.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /introspect',
      'POST /connect/sessions/reauthenticate',
    ]);
    expect(journal[1]?.headers.get('authorization')).toBe(basicAuth);
    expect(journal[1]?.body).toEqual({
      connection_id: CONNECTION_ID,
      redirect_uri: 'https://host.example/finch/callback',
      minutes_to_expire: 15,
      products: ['company', 'directory'],
    });
    expect(action).toEqual({
      kind: 'redirect',
      url: `${session.connect_url}&state=st.signed-state_1`,
      state: 'st.signed-state_1',
      expiresAt: ctx().expiresAt,
    });
  });

  it('uses the start redirect URI, omits products unless configured, and honours minutesToExpire', async () => {
    server.use(
      respond('get', '/introspect', 200, introspectConnected),
      respond('post', '/connect/sessions/reauthenticate', 201, session),
    );
    const action = await makeProvider({ minutesToExpire: 5 }).startReconnection(
      connection(),
      ctx({ redirectUri: 'https://host.example/other/callback' }),
    );
    expect(journal[1]?.body).toEqual({
      connection_id: CONNECTION_ID,
      redirect_uri: 'https://host.example/other/callback',
      minutes_to_expire: 5,
    });
    // The session dies before the state: the action expires with the session.
    expect(action.kind === 'redirect' && action.expiresAt).toEqual(new Date(NOW.getTime() + 5 * 60_000));
  });

  it('maps a failed session request to an upstream error', async () => {
    server.use(
      respond('get', '/introspect', 200, introspectConnected),
      respond(
        'post',
        '/connect/sessions/reauthenticate',
        401,
        fixture('payloads/finch/error.invalid-client.json'),
      ),
    );
    const error = await failure(makeProvider().startReconnection(connection(), ctx()));
    expect(error).toMatchObject({
      code: 'upstream_error',
      message: expect.stringContaining('invalid_client'),
    });
  });
});

describe('startReconnection (authorize_url)', () => {
  it('builds the Connect authorize URL with the provider preselected, without a session call', async () => {
    server.use(respond('get', '/introspect', 200, introspectConnected));
    const provider = makeProvider({ reconnectMode: 'authorize_url', connectUrl: 'https://connect.example/' });
    const action = await provider.startReconnection(connection(), ctx());
    expect(journal.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /introspect']);
    if (action.kind !== 'redirect') throw new Error(`unexpected action ${action.kind}`);
    const url = new URL(action.url);
    expect(`${url.origin}${url.pathname}`).toBe('https://connect.example/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: CLIENT_ID,
      products: 'company directory individual employment payment pay_statement',
      redirect_uri: 'https://host.example/finch/callback',
      state: 'st.signed-state_1',
      payroll_provider: 'gusto',
    });
    expect(action.expiresAt).toEqual(ctx().expiresAt);
    expect(action.url).not.toContain(CLIENT_SECRET);
  });
});

describe('completeReconnection', () => {
  const token = fixture('payloads/finch/create-access-token.json');

  it('exchanges the code once at POST /auth/token and returns the new token as a secret', async () => {
    server.use(respond('post', '/auth/token', 200, token));
    const result = await makeProvider().completeReconnection(connection(), { state: 's', code: 'code-123' });
    expect(journal.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /auth/token']);
    expect(journal[0]?.headers.get('authorization')).toBeNull();
    expect(journal[0]?.body).toEqual({
      code: 'code-123',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uri: 'https://host.example/finch/callback',
    });
    expect(result).toEqual({
      outcome: 'completed',
      upstreamId: token.connection_id,
      upstreamParentId: token.company_id,
      secrets: { access_token: token.access_token },
      vendor: { status: 'connected', code: null, message: null },
      state: 'connected',
      metadata: { provider_id: 'gusto', products: 'company directory individual employment' },
    });
  });

  it.each([
    [500, fixture('payloads/finch/error.bad-gateway.json'), 'upstream_unavailable'],
    [429, fixture('payloads/finch/error.rate-limited.json'), 'upstream_rate_limited'],
    [502, fixture('payloads/finch/error.bad-gateway.json'), 'upstream_unavailable'],
  ])('never retries the exchange, even on HTTP %i (the code would be burnt)', async (status, body, code) => {
    server.use(respond('post', '/auth/token', status, body));
    const error = await failure(
      makeProvider({ maxRetries: 3 }).completeReconnection(connection(), { state: 's', code: 'code-123' }),
    );
    expect(error.code).toBe(code);
    expect(journal).toHaveLength(1);
  });

  it('maps 400 invalid_grant_error to reconnect_code_invalid', async () => {
    server.use(respond('post', '/auth/token', 400, fixture('payloads/finch/error.invalid-grant.json')));
    const error = await failure(
      makeProvider().completeReconnection(connection(), { state: 's', code: 'code-used' }),
    );
    expect(isReconnectKitError(error, 'reconnect_code_invalid')).toBe(true);
  });

  it('maps 401 invalid_client to an upstream error naming Finch’s code', async () => {
    server.use(
      respond('post', '/auth/token', 401, {
        code: 401,
        name: 'invalid_client_error',
        message: 'Invalid client',
      }),
    );
    const error = await failure(
      makeProvider().completeReconnection(connection(), { state: 's', code: 'code-123' }),
    );
    expect(error).toMatchObject({
      code: 'upstream_error',
      message: expect.stringContaining('invalid_client_error'),
    });
  });

  it('rejects a callback without a code, without calling Finch', async () => {
    const error = await failure(makeProvider().completeReconnection(connection(), { state: 's' }));
    expect(error.code).toBe('reconnect_code_invalid');
    expect(journal).toEqual([]);
  });
});

describe('revoke', () => {
  it('calls POST /disconnect with the connection token', async () => {
    server.use(respond('post', '/disconnect', 200, fixture('payloads/finch/disconnect.json')));
    await makeProvider().revoke(connection());
    expect(journal.map((r) => `${r.method} ${r.path} ${r.headers.get('authorization')}`)).toEqual([
      `POST /disconnect Bearer ${ACCESS_TOKEN}`,
    ]);
  });

  it('treats an already disconnected token as done', async () => {
    server.use(respond('post', '/disconnect', 401, fixture('payloads/finch/error.invalid-token.json')));
    await expect(makeProvider().revoke(connection())).resolves.toBeUndefined();
  });

  it('fails with upstream_unavailable when Finch is down', async () => {
    server.use(respond('post', '/disconnect', 503, { code: 503, name: 'server_error', message: 'down' }));
    expect((await failure(makeProvider().revoke(connection()))).code).toBe('upstream_unavailable');
  });
});

describe('secrets', () => {
  it('never appear in the provider’s serialisation or in any error above', () => {
    const provider = makeProvider();
    expect(thrown.length).toBeGreaterThan(8);
    const secrets = [CLIENT_SECRET, ACCESS_TOKEN, 'code-123', 'code-used'];
    for (const text of [JSON.stringify(provider), inspect(provider, { depth: 5 })]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
    for (const error of thrown) {
      const texts = [(error as Error).message, JSON.stringify(error)];
      for (const secret of secrets) for (const text of texts) expect(text).not.toContain(secret);
    }
  });
});
