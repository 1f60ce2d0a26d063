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

describe('fetchStatus: Finch’s 2026 API', () => {
  const reauthJob = fixture<{ job_id: string }>('payloads/finch/automated-job.reauth-error.json');
  const JOB_ID = reauthJob.job_id;
  const job = (status: string) => ({ ...reauthJob, status });

  it('maps introspect entities: some in reauth → degraded naming them; a null company_id is no company', async () => {
    server.use(
      respond('get', '/introspect', 200, fixture('payloads/finch/introspect.multi-entity-one-reauth.json')),
    );
    const status = await makeProvider().fetchStatus(connection());
    expect(status).toMatchObject({
      state: 'degraded',
      problem: { reason: expect.stringContaining('Acme West LLC') },
    });
    expect(status.problem?.reason).not.toContain('Acme Labs LLC');
    expect(status.upstreamParentId).toBeUndefined();
  });

  it('with a job hint, reads GET /jobs/automated/{id} first: reauth_error is the answer (no /introspect)', async () => {
    server.use(respond('get', `/jobs/automated/${JOB_ID}`, 200, job('reauth_error')));
    const status = await makeProvider().fetchStatus(connection(), {
      ref: `https://api.tryfinch.com/jobs/automated/${JOB_ID}`,
    });
    expect(status).toMatchObject({
      state: 'needs_reauth',
      vendor: { status: 'reauth', code: 'reauth_error' },
      problem: { fix: 'reenter_credentials' },
      checkedAt: NOW,
    });
    // The job_url's host is never called: the job is read from the configured API with the connection's token.
    expect(journal.map((r) => `${r.method} ${r.path} ${r.headers.get('authorization')}`)).toEqual([
      `GET /jobs/automated/${JOB_ID} Bearer ${ACCESS_TOKEN}`,
    ]);
  });

  it('reads manual jobs at GET /jobs/manual/{id} (they have no reauth outcome: /introspect decides)', async () => {
    const manual = fixture<{ job_id: string }>('payloads/finch/manual-job.complete.json');
    server.use(
      respond('get', `/jobs/manual/${manual.job_id}`, 200, manual),
      respond('get', '/introspect', 200, fixture('payloads/finch/introspect.reauth.json')),
    );
    const status = await makeProvider().fetchStatus(connection(), {
      ref: `${BASE_URL}/jobs/manual/${manual.job_id}`,
    });
    expect(status.state).toBe('needs_reauth');
    expect(journal.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /jobs/manual/${manual.job_id}`,
      'GET /introspect',
    ]);
  });

  it.each([
    [404, { code: 404, name: 'not_found_error', finch_code: 'item_not_found', message: 'Job not found' }],
    [403, { code: 403, name: 'insufficient_scope_error', message: 'No access to jobs' }],
    [502, fixture('payloads/finch/error.bad-gateway.json')],
  ])(
    'a job read answering %i says nothing about the connection: /introspect decides',
    async (status, body) => {
      server.use(
        respond('get', `/jobs/automated/${JOB_ID}`, status, body),
        respond('get', '/introspect', 200, introspectConnected),
      );
      const result = await makeProvider().fetchStatus(connection(), {
        ref: `${BASE_URL}/jobs/automated/${JOB_ID}`,
      });
      expect(result.state).toBe('connected');
      expect(journal.map((r) => r.path)).toEqual([`/jobs/automated/${JOB_ID}`, '/introspect']);
    },
  );

  it('a rate-limited job read surfaces as upstream_rate_limited', async () => {
    server.use(
      respond('get', `/jobs/automated/${JOB_ID}`, 429, fixture('payloads/finch/error.rate-limited.json')),
    );
    const error = await failure(
      makeProvider().fetchStatus(connection(), { ref: `${BASE_URL}/jobs/automated/${JOB_ID}` }),
    );
    expect(error.code).toBe('upstream_rate_limited');
  });

  it('a job body of another shape is an upstream_error naming the field', async () => {
    server.use(respond('get', `/jobs/automated/${JOB_ID}`, 200, { ...reauthJob, status: 'exploded' }));
    const error = await failure(
      makeProvider().fetchStatus(connection(), { ref: `${BASE_URL}/jobs/automated/${JOB_ID}` }),
    );
    expect(error).toMatchObject({ code: 'upstream_error', message: expect.stringContaining('"status"') });
  });

  it('a job that completed (or a hint that is no job URL) falls through to /introspect', async () => {
    server.use(
      respond('get', `/jobs/automated/${JOB_ID}`, 200, job('complete')),
      respond('get', '/introspect', 200, introspectConnected),
    );
    const provider = makeProvider();
    expect(
      (await provider.fetchStatus(connection(), { ref: `${BASE_URL}/jobs/automated/${JOB_ID}` })).state,
    ).toBe('connected');
    expect((await provider.fetchStatus(connection(), { ref: `${BASE_URL}/employer/directory` })).state).toBe(
      'connected',
    );
    expect(journal.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /jobs/automated/${JOB_ID}`,
      'GET /introspect',
      'GET /introspect',
    ]);
  });

  it('a 401 reauthenticate_user on the job read is a status too', async () => {
    server.use(
      respond(
        'get',
        `/jobs/automated/${JOB_ID}`,
        401,
        fixture('payloads/finch/error.reauthenticate-user.json'),
      ),
    );
    const status = await makeProvider().fetchStatus(connection(), {
      ref: `${BASE_URL}/jobs/automated/${JOB_ID}`,
    });
    expect(status.state).toBe('needs_reauth');
  });

  it('classifyError reads a finished job body as well as API errors', () => {
    const provider = makeProvider();
    expect(provider.classifyError(job('reauth_error'))?.state).toBe('needs_reauth');
    expect(provider.classifyError(job('permissions_error'))?.state).toBe('needs_credentials');
    expect(provider.classifyError(job('error'))).toBeUndefined();
    expect(provider.classifyError(job('complete'))).toBeUndefined();
  });
});

describe('openConnectSession', () => {
  const session = fixture('payloads/finch/connect-session.reauthenticate.json');
  const alreadyExists = fixture<{ context: { connection_id: string } }>(
    'payloads/finch/error.connection-already-exists.json',
  );
  const request = { customerId: 'host-user-42', customerName: 'Acme Inc', state: 'host-state-1' };

  it('opens a new session (Finch’s 90 days unless told otherwise) and appends the state', async () => {
    server.use(respond('post', '/connect/sessions', 201, session));
    const opened = await makeProvider().openConnectSession(request);
    await makeProvider().openConnectSession({ ...request, providerId: 'gusto', minutesToExpire: 60 });
    expect(journal[1]?.body).toMatchObject({ integration: { provider: 'gusto' }, minutes_to_expire: 60 });
    journal.splice(1);
    expect(journal.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /connect/sessions']);
    expect(journal[0]?.headers.get('authorization')).toBe(basicAuth);
    expect(journal[0]?.body).toEqual({
      customer_id: 'host-user-42',
      customer_name: 'Acme Inc',
      products: ['company', 'directory', 'individual', 'employment', 'payment', 'pay_statement'],
      redirect_uri: 'https://host.example/finch/callback',
      minutes_to_expire: 129_600,
    });
    expect(opened).toEqual({
      kind: 'new_connection',
      sessionId: session.session_id,
      url: `${session.connect_url}&state=host-state-1`,
      expiresAt: new Date(NOW.getTime() + 90 * 24 * 60 * 60_000),
    });
  });

  it('connection_already_exists: re-authenticates the live connection Finch names, and says so', async () => {
    server.use(
      respond('post', '/connect/sessions', 400, alreadyExists),
      respond('post', '/connect/sessions/reauthenticate', 201, session),
    );
    const opened = await makeProvider().openConnectSession({
      ...request,
      products: ['company', 'directory'],
    });
    expect(journal.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /connect/sessions',
      'POST /connect/sessions/reauthenticate',
    ]);
    expect(journal[1]?.body).toEqual({
      connection_id: alreadyExists.context.connection_id,
      redirect_uri: 'https://host.example/finch/callback',
      minutes_to_expire: 43_200,
      products: ['company', 'directory'],
    });
    expect(opened).toMatchObject({
      kind: 'reauthenticate',
      connectionId: alreadyExists.context.connection_id,
      url: `${session.connect_url}&state=host-state-1`,
      expiresAt: new Date(NOW.getTime() + 30 * 24 * 60 * 60_000),
      message: expect.stringContaining('already has a live Finch connection'),
    });
  });

  it('connection_already_exists without the connection id is a clear upstream_error', async () => {
    server.use(respond('post', '/connect/sessions', 400, { ...alreadyExists, context: {} }));
    const error = await failure(makeProvider().openConnectSession(request));
    expect(error).toMatchObject({
      code: 'upstream_error',
      message: expect.stringContaining('connection_already_exists'),
    });
  });

  it('other refusals name Finch’s code', async () => {
    server.use(
      respond('post', '/connect/sessions', 401, fixture('payloads/finch/error.invalid-client.json')),
    );
    const error = await failure(makeProvider().openConnectSession(request));
    expect(error).toMatchObject({
      code: 'upstream_error',
      message: expect.stringContaining('invalid_client'),
    });
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

  it('a link that lives a day or more carries its deadline as an early warning; shorter ones do not', async () => {
    server.use(
      respond('get', '/introspect', 200, introspectConnected),
      respond('post', '/connect/sessions/reauthenticate', 201, session),
    );
    const thirtyDays = 30 * 24 * 60;
    const action = await makeProvider({ minutesToExpire: thirtyDays }).startReconnection(
      connection(),
      ctx({ expiresAt: new Date(NOW.getTime() + thirtyDays * 60_000) }),
    );
    const deadline = new Date(NOW.getTime() + thirtyDays * 60_000);
    expect(action).toMatchObject({
      expiresAt: deadline,
      warning: {
        code: 'connect_link_expiring',
        deadline,
        reason: expect.stringContaining('2026-12-23'),
        vendor: { status: 'session_open', message: `Connect session ${session.session_id}` },
      },
    });
    const short = await makeProvider().startReconnection(connection(), ctx());
    expect(short.warning).toBeUndefined();
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

  it('a token without a company (company_id null) yields no parent id, so only connection_id decides a mismatch', async () => {
    server.use(respond('post', '/auth/token', 200, { ...token, company_id: null }));
    const result = await makeProvider().completeReconnection(connection(), { state: 's', code: 'code-123' });
    expect(result.outcome === 'completed' && result.upstreamParentId).toBeUndefined();
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
