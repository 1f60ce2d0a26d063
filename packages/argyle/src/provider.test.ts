import {
  CLOCK,
  HTTP_FETCH,
  ManualClock,
  RECONNECTION_PROVIDER,
  type ReconnectionProvider,
} from '@reconnect-kit/core';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { container, type DependencyContainer } from 'tsyringe';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ArgyleConfig } from './config.js';
import type { ArgyleAccount } from './generated/account.js';
import { ArgyleProvider } from './provider.js';
import { registerArgyle } from './register.js';
import { accountWith, connectedAccount, connectionFor, loadPayload } from './test-kit.test-helpers.js';

const BASE = 'https://api-sandbox.argyle.com/v2';
const API_SECRET = 'api-secret-never-shown';
const WEBHOOK_SECRET = 'webhook-secret-never-shown';
const NOW = '2026-02-12T09:00:00.000Z';

/** A tiny in-test Argyle: accounts by id and Basic-auth checking like the real API. */
const accounts = new Map<string, ArgyleAccount>();
const expectedAuth = `Basic ${Buffer.from(`key-id:${API_SECRET}`).toString('base64')}`;
const server = setupServer(
  http.all(`${BASE}/*`, ({ request }) =>
    request.headers.get('authorization') === expectedAuth
      ? undefined
      : HttpResponse.json({ detail: 'Invalid username/password.' }, { status: 401 }),
  ),
  http.get(`${BASE}/accounts/:id`, ({ params }) => {
    const found = accounts.get(String(params.id));
    return found ? HttpResponse.json(found) : HttpResponse.json({ detail: 'Not found.' }, { status: 404 });
  }),
  http.get(`${BASE}/accounts`, ({ request }) => {
    const user = new URL(request.url).searchParams.get('user');
    const results = [...accounts.values()].filter((found) => user === null || found.user === user);
    return HttpResponse.json({ next: null, previous: null, results });
  }),
  http.delete(`${BASE}/accounts/:id`, ({ params }) =>
    accounts.delete(String(params.id))
      ? new HttpResponse(null, { status: 204 })
      : HttpResponse.json({ detail: 'Not found.' }, { status: 404 }),
  ),
  http.post(`${BASE}/user-tokens`, async ({ request }) => {
    const body = (await request.json()) as { user?: string };
    return HttpResponse.json({ user_token: `token-for-${body.user}` });
  }),
  http.post(`${BASE}/invites/:id`, ({ params }) => {
    const invite = loadPayload('invite.json');
    return HttpResponse.json({
      ...invite,
      id: params.id,
      url: `https://verify.argyle.com/connect/${params.id}`,
    });
  }),
);

/** Every request the adapter sent, recorded before any handler (including per-test overrides) answers. */
const calls: string[] = [];
server.events.on('request:start', ({ request }) => {
  const url = new URL(request.url);
  calls.push(`${request.method} ${url.pathname}${url.search}`);
});

let provider: ArgyleProvider;
let clock: ManualClock;

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  clock = new ManualClock(NOW);
  const child = container.createChildContainer();
  child.register(CLOCK, { useValue: clock });
  provider = argyleIn(child);
});

function argyleIn(child: DependencyContainer, overrides: Partial<ArgyleConfig> = {}): ArgyleProvider {
  registerArgyle(child, {
    apiKeyId: 'key-id',
    apiKeySecret: API_SECRET,
    environment: 'sandbox',
    webhookSecret: WEBHOOK_SECRET,
    linkUrl: 'https://link.example.com/argyle',
    // One attempt per call: these tests pin down how answers map; retries have their own tests.
    maxRetries: 0,
    ...overrides,
  });
  return child.resolve(ArgyleProvider);
}

/** Advances the test clock until `promise` settles (retry waits run on the clock). */
async function settle<T>(promise: Promise<T>): Promise<T> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 2_000 && !done; i += 1) await clock.advance(50);
  return promise;
}
afterEach(() => {
  server.resetHandlers();
  accounts.clear();
  calls.length = 0;
});

function seed(account: ArgyleAccount): ArgyleAccount {
  accounts.set(account.id, account);
  return account;
}

async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; details: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}

const ctx = { state: 'signed-state', expiresAt: new Date('2026-02-12T09:30:00Z'), now: new Date(NOW) };

describe('registerArgyle', () => {
  it('registers one shared instance under RECONNECTION_PROVIDER with the global fetch by default', () => {
    const child = container.createChildContainer();
    registerArgyle(child, {
      apiKeyId: 'k',
      apiKeySecret: 's',
      baseUrl: 'http://127.0.0.1:1/v2',
      webhookSecret: 'w',
      linkUrl: 'http://127.0.0.1:1/link',
    });
    const [registered, ...others] = child.resolveAll<ReconnectionProvider>(RECONNECTION_PROVIDER);
    expect(others).toEqual([]);
    expect(registered).toBe(child.resolve(ArgyleProvider));
    expect(child.isRegistered(HTTP_FETCH)).toBe(true);
    expect(registered?.id).toBe('argyle');
  });

  it('a clock registered after registerArgyle (core registers its own) is the one the provider gets', async () => {
    const child = container.createChildContainer();
    registerArgyle(child, {
      apiKeyId: 'key-id',
      apiKeySecret: API_SECRET,
      environment: 'sandbox',
      webhookSecret: 'w',
      linkUrl: 'https://link.example.com/argyle',
    });
    child.register(CLOCK, { useValue: new ManualClock('2030-01-01T00:00:00Z') });
    const status = await child.resolve(ArgyleProvider).fetchStatus(connectionFor(seed(connectedAccount())));
    expect(status.checkedAt.toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });

  it('uses an injected HTTP_FETCH', async () => {
    const child = container.createChildContainer();
    const seen: string[] = [];
    child.register(HTTP_FETCH, {
      useValue: async (input: string | URL | Request) => {
        seen.push(String(input));
        return Response.json(connectedAccount());
      },
    });
    const registered = argyleIn(child, { environment: undefined, baseUrl: 'http://argyle.test/v2' });
    await registered.fetchStatus(connectionFor(connectedAccount()));
    expect(seen).toEqual([`http://argyle.test/v2/accounts/${connectedAccount().id}`]);
  });
});

describe('fetchStatus', () => {
  it.each([
    ['account.connected.json', 'connected', undefined],
    ['account.auth_required.json', 'needs_reauth', 'one_click'],
    ['account.expired_credentials.json', 'needs_credentials', 'reenter_credentials'],
    ['account.system_error.json', 'degraded', 'wait'],
    ['account.connecting.json', 'pending', undefined],
  ])('%s → %s', async (file, state, fix) => {
    const account = seed(loadPayload<ArgyleAccount>(file));
    const status = await provider.fetchStatus(connectionFor(account));
    expect(status.state).toBe(state);
    expect(status.problem?.fix).toBe(fix);
    expect(status.vendor).toEqual({
      status: account.connection.status,
      code: account.connection.error_code,
      message: account.connection.error_message,
    });
    expect(status.upstreamParentId).toBe(account.user);
    expect(status.checkedAt.toISOString()).toBe(NOW);
    expect(calls).toEqual([`GET /v2/accounts/${account.id}`]);
  });

  it('a deleted account (404) is revoked', async () => {
    const status = await provider.fetchStatus(connectionFor(connectedAccount()));
    expect([status.state, status.vendor.status, status.problem?.fix]).toEqual([
      'revoked',
      'not_found',
      'new_connection',
    ]);
  });

  it('a 401 is our API key problem: upstream_error naming the cause, no secret in it', async () => {
    const child = container.createChildContainer();
    const wrongKey = argyleIn(child, { apiKeySecret: 'wrong-secret-never-shown' });
    const error = await rejection(wrongKey.fetchStatus(connectionFor(seed(connectedAccount()))));
    expect(error.code).toBe('upstream_error');
    expect(error.details.status).toBe(401);
    expect(error.message).toContain('API key');
    expect(wrongKey.classifyError(error)).toBeUndefined();
    expect(`${error.message} ${JSON.stringify(error)}`).not.toMatch(/never-shown|a2V5LWlk/);
  });

  it('429 → upstream_rate_limited with Retry-After, classified degraded (wait)', async () => {
    server.use(
      http.get(`${BASE}/accounts/:id`, () =>
        HttpResponse.json(
          { detail: 'Request was throttled.' },
          { status: 429, headers: { 'retry-after': '30' } },
        ),
      ),
    );
    const error = await rejection(provider.fetchStatus(connectionFor(connectedAccount())));
    expect(error.code).toBe('upstream_rate_limited');
    expect(error.details.retryAfterMs).toBe(30_000);
    expect(provider.classifyError(error)).toMatchObject({
      state: 'degraded',
      fix: 'wait',
      retryAfterMs: 30_000,
    });
  });

  it('5xx and network failures → upstream_unavailable', async () => {
    server.use(http.get(`${BASE}/accounts/:id`, () => new HttpResponse('oops', { status: 503 })));
    expect((await rejection(provider.fetchStatus(connectionFor(connectedAccount())))).code).toBe(
      'upstream_unavailable',
    );
    server.use(http.get(`${BASE}/accounts/:id`, () => HttpResponse.error()));
    const network = await rejection(provider.fetchStatus(connectionFor(connectedAccount())));
    expect(network.code).toBe('upstream_unavailable');
    expect(provider.classifyError(network)?.state).toBe('degraded');
  });

  it('a response that breaks the account schema is an upstream_error naming the field', async () => {
    server.use(
      http.get(`${BASE}/accounts/:id`, () =>
        HttpResponse.json({ ...connectedAccount(), connection: { status: 'weird' } }),
      ),
    );
    const error = await rejection(provider.fetchStatus(connectionFor(connectedAccount())));
    expect(error.code).toBe('upstream_error');
    expect(error.message).toContain('connection');
  });

  it("classifyError reads raw Responses from the host's own Argyle calls", () => {
    const throttled = new Response('{}', {
      status: 429,
      headers: { 'retry-after': 'Thu, 12 Feb 2026 09:01:00 GMT' },
    });
    expect(provider.classifyError(throttled)).toMatchObject({
      state: 'degraded',
      fix: 'wait',
      retryAfterMs: 60_000,
    });
    expect(provider.classifyError(new Response(null, { status: 502 }))?.vendor.status).toBe('http_502');
    expect(provider.classifyError(new Response(null, { status: 401 }))).toBeUndefined();
    expect(provider.classifyError(new Response(null, { status: 404 }))).toBeUndefined();
  });

  it('classifyError ignores errors that say nothing about the connection', () => {
    expect(provider.classifyError(new Error('boom'))).toBeUndefined();
    expect(provider.classifyError(undefined)).toBeUndefined();
  });
});

describe('startReconnection', () => {
  it.each(['mfa_timeout', 'system_error', 'account_disabled'] as const)(
    '%s → Link on the account screen (one_click): only credential problems open the login form',
    async (code) => {
      const account = seed(accountWith({ status: 'error', error_code: code, error_message: 'x' }));
      expect(await provider.startReconnection(connectionFor(account), ctx)).toMatchObject({
        kind: 'widget',
        mode: 'one_click',
      });
    },
  );

  it('auth_required → one-click Link with a fresh user token for the EXISTING user and account', async () => {
    const account = seed(loadPayload<ArgyleAccount>('account.auth_required.json'));
    const action = await provider.startReconnection(connectionFor(account), ctx);
    expect(action).toEqual({
      kind: 'widget',
      provider: 'argyle',
      config: { userToken: `token-for-${account.user}`, accountId: account.id },
      mode: 'one_click',
      expiresAt: new Date('2026-02-12T10:00:00.000Z'),
      url: `https://link.example.com/argyle?user_token=token-for-${account.user}&account_id=${account.id}`,
      state: 'signed-state',
    });
    expect(calls).toEqual([`GET /v2/accounts/${account.id}`, 'POST /v2/user-tokens']);
  });

  it.each(['expired_credentials', 'invalid_credentials', 'full_auth_required', 'tos_required'] as const)(
    '%s → Link on the login form (reenter_credentials)',
    async (code) => {
      const account = seed(accountWith({ status: 'error', error_code: code, error_message: 'x' }));
      const action = await provider.startReconnection(connectionFor(account), ctx);
      expect(action).toMatchObject({
        kind: 'widget',
        mode: 'reenter_credentials',
        config: { accountId: account.id },
      });
    },
  );

  it('the Link URL sends the user back to the host callback with the signed state', async () => {
    const account = seed(loadPayload<ArgyleAccount>('account.auth_required.json'));
    const action = await provider.startReconnection(connectionFor(account), {
      ...ctx,
      redirectUri: 'https://host.example.com/reconnect/callback?provider=argyle',
    });
    const url = new URL(action.kind === 'widget' ? (action.url ?? '') : '');
    expect(url.origin + url.pathname).toBe('https://link.example.com/argyle');
    expect(url.searchParams.get('account_id')).toBe(account.id);
    const back = new URL(url.searchParams.get('redirect_uri') ?? '');
    expect(back.searchParams.get('state')).toBe('signed-state');
    expect(back.searchParams.get('provider')).toBe('argyle');
  });

  it('invite users get the ORIGINAL invite re-sent (POST /v2/invites/{id}), never a new one', async () => {
    const account = seed(loadPayload<ArgyleAccount>('account.auth_required.json'));
    const action = await provider.startReconnection(connectionFor(account, { invite_id: 'inv_123' }), ctx);
    expect(action).toEqual({
      kind: 'resend_invite',
      inviteId: 'inv_123',
      url: 'https://verify.argyle.com/connect/inv_123',
    });
    expect(calls).toEqual(['POST /v2/invites/inv_123']);
  });

  it('shareable-URL users are redirected to their original URL (connection metadata, the default), with no vendor call', async () => {
    const account = seed(loadPayload<ArgyleAccount>('account.auth_required.json'));
    const url = 'https://verify.argyle.com/share/abc';
    const action = await provider.startReconnection(connectionFor(account, { shareable_url: url }), ctx);
    expect(action).toEqual({ kind: 'redirect', url, state: ctx.state, expiresAt: ctx.expiresAt });
    expect(calls).toEqual([]);
  });

  it('shareable URLs recorded on the Argyle user: read from its external_metadata under the configured key', async () => {
    const child = container.createChildContainer();
    child.register(CLOCK, { useValue: clock });
    const shared = argyleIn(child, { shareableUrls: { source: 'user_external_metadata', key: 'link_url' } });
    const account = seed(loadPayload<ArgyleAccount>('account.auth_required.json'));
    const url = 'https://verify.argyle.com/share/user-own';
    const metadata: Record<string, unknown> = { link_url: url };
    server.use(
      http.get(`${BASE}/users/:id`, ({ params }) =>
        HttpResponse.json({
          ...loadPayload<object>('user.json'),
          id: params.id,
          external_metadata: metadata,
        }),
      ),
    );
    expect(await shared.startReconnection(connectionFor(account), ctx)).toEqual({
      kind: 'redirect',
      url,
      state: ctx.state,
      expiresAt: ctx.expiresAt,
    });
    expect(calls).toEqual([`GET /v2/users/${account.user}`]);
    // The connection's metadata is not this source: a user without the key reconnects through embedded Link.
    delete metadata.link_url;
    calls.length = 0;
    const action = await shared.startReconnection(connectionFor(account, { link_url: url }), ctx);
    expect(action.kind).toBe('widget');
    expect(calls).toEqual([
      `GET /v2/users/${account.user}`,
      `GET /v2/accounts/${account.id}`,
      'POST /v2/user-tokens',
    ]);
  });

  it('a recorded shareable URL that is no http(s) URL is a config_invalid error naming where it was read', async () => {
    const account = seed(loadPayload<ArgyleAccount>('account.auth_required.json'));
    const error = await rejection(
      provider.startReconnection(connectionFor(account, { shareable_url: 'javascript:alert(1)' }), ctx),
    );
    expect(error.code).toBe('config_invalid');
    expect(error.message).toContain('connection_metadata "shareable_url"');
  });

  it('shareableUrls: false always reconnects through embedded Link', async () => {
    const child = container.createChildContainer();
    child.register(CLOCK, { useValue: clock });
    const embedded = argyleIn(child, { shareableUrls: false });
    const account = seed(loadPayload<ArgyleAccount>('account.auth_required.json'));
    const action = await embedded.startReconnection(
      connectionFor(account, { shareable_url: 'https://verify.argyle.com/share/abc' }),
      ctx,
    );
    expect(action.kind).toBe('widget');
  });

  it('a deleted account cannot be reconnected: connection_terminal', async () => {
    const error = await rejection(provider.startReconnection(connectionFor(connectedAccount()), ctx));
    expect(error.code).toBe('connection_terminal');
    expect(calls).toEqual([`GET /v2/accounts/${connectedAccount().id}`]);
  });
});

describe('completeReconnection', () => {
  it('connected → completed with the same account and user ids', async () => {
    const account = seed(connectedAccount());
    const result = await provider.completeReconnection(connectionFor(account), {
      state: 's',
      account_id: account.id,
      user_id: account.user,
    });
    expect(result).toEqual({
      outcome: 'completed',
      upstreamId: account.id,
      upstreamParentId: account.user,
      vendor: { status: 'connected', code: null, message: null },
      state: 'connected',
    });
  });

  it("returns the other account id when Link connected another account of the connection's user (the service flags the mismatch)", async () => {
    const original = connectedAccount();
    const other = seed({ ...connectedAccount(), id: '019c0b40-0000-7000-8000-000000000099' });
    const result = await provider.completeReconnection(connectionFor(original), {
      state: 's',
      account_id: other.id,
    });
    expect(result).toMatchObject({ outcome: 'completed', upstreamId: other.id });
  });

  it('still connecting → pending; error → failed with the mapped problem', async () => {
    const connecting = seed(loadPayload<ArgyleAccount>('account.connecting.json'));
    expect(await provider.completeReconnection(connectionFor(connecting), { state: 's' })).toEqual({
      outcome: 'pending',
    });
    const failed = seed(
      accountWith({ status: 'error', error_code: 'invalid_credentials', error_message: 'bad' }),
    );
    const result = await provider.completeReconnection(connectionFor(failed), { state: 's' });
    expect(result).toMatchObject({
      outcome: 'failed',
      problem: { state: 'needs_credentials', vendor: { code: 'invalid_credentials' } },
    });
  });

  it("an unknown account id or another user's account is unconfirmed, found only through the connection's user", async () => {
    const account = seed(connectedAccount());
    const foreign = seed({
      ...connectedAccount(),
      id: '019c0b40-0000-7000-8000-0000000000f0',
      user: 'user-of-bob',
    });
    for (const accountId of ['019c0b40-0000-7000-8000-00000000dead', foreign.id]) {
      calls.length = 0;
      expect(
        await provider.completeReconnection(connectionFor(account), { state: 's', account_id: accountId }),
      ).toEqual({ outcome: 'unconfirmed' });
      // Never read by id: the host's API key must not fetch an account the connection does not own.
      expect(calls).toEqual([`GET /v2/accounts?user=${account.user}&limit=200`]);
    }
  });

  it('ignores the callback user_id: no yes/no answer about who owns what', async () => {
    const account = seed(connectedAccount());
    const outcomes = await Promise.all(
      [account.user, 'user-of-bob', undefined].map((userId) =>
        provider.completeReconnection(connectionFor(account), {
          state: 's',
          account_id: account.id,
          ...(userId === undefined ? {} : { user_id: userId }),
        }),
      ),
    );
    expect(new Set(outcomes.map((outcome) => JSON.stringify(outcome))).size).toBe(1);
  });
});

describe('revoke', () => {
  it('DELETE /v2/accounts/{id}; an account already gone counts as done', async () => {
    const account = seed(connectedAccount());
    await provider.revoke(connectionFor(account));
    await provider.revoke(connectionFor(account));
    expect(calls).toEqual([`DELETE /v2/accounts/${account.id}`, `DELETE /v2/accounts/${account.id}`]);
    expect(accounts.size).toBe(0);
  });
});

describe('retries (the resilient fetch, on the injected clock)', () => {
  const retrying = () => {
    const child = container.createChildContainer();
    child.register(CLOCK, { useValue: clock });
    return argyleIn(child, { maxRetries: 2 });
  };

  it('a GET is retried after a 503 and a dropped connection, then succeeds', async () => {
    const account = seed(connectedAccount());
    let answers = 0;
    server.use(
      http.get(`${BASE}/accounts/:id`, () => {
        answers += 1;
        if (answers === 1) return new HttpResponse('busy', { status: 503 });
        if (answers === 2) return HttpResponse.error();
        return undefined;
      }),
    );
    const started = clock.now().getTime();
    const status = await settle(retrying().fetchStatus(connectionFor(account)));
    expect(status.state).toBe('connected');
    expect(calls).toEqual(Array(3).fill(`GET /v2/accounts/${account.id}`));
    // Two backoff waits (at least 250 ms, then 500 ms) passed on the clock.
    expect(clock.now().getTime() - started).toBeGreaterThanOrEqual(750);
  });

  it('gives up after maxRetries + 1 attempts with upstream_unavailable', async () => {
    server.use(http.get(`${BASE}/accounts/:id`, () => new HttpResponse('down', { status: 502 })));
    const error = await rejection(settle(retrying().fetchStatus(connectionFor(connectedAccount()))));
    expect(error.code).toBe('upstream_unavailable');
    expect(calls).toHaveLength(3);
  });

  it('a POST (invite re-send: it messages the user) is not retried after a 5xx', async () => {
    const account = seed(loadPayload<ArgyleAccount>('account.auth_required.json'));
    server.use(http.post(`${BASE}/invites/:id`, () => new HttpResponse('oops', { status: 500 })));
    const error = await rejection(
      settle(retrying().startReconnection(connectionFor(account, { invite_id: 'inv_123' }), ctx)),
    );
    expect(error.code).toBe('upstream_unavailable');
    expect(calls).toEqual(['POST /v2/invites/inv_123']);
  });

  it('a Retry-After longer than the in-place cap comes back at once as upstream_rate_limited', async () => {
    server.use(
      http.get(`${BASE}/accounts/:id`, () =>
        HttpResponse.json(
          { detail: 'Request was throttled.' },
          { status: 429, headers: { 'retry-after': '30' } },
        ),
      ),
    );
    const error = await rejection(retrying().fetchStatus(connectionFor(connectedAccount())));
    expect(error).toMatchObject({ code: 'upstream_rate_limited', details: { retryAfterMs: 30_000 } });
    expect(calls).toHaveLength(1);
  });
});

describe('secrets in errors', () => {
  it('no thrown error carries the API secret or the Basic credentials, whatever the failure', async () => {
    const basic = Buffer.from(`key-id:${API_SECRET}`).toString('base64');
    const failures: Array<() => Promise<unknown>> = [
      () => provider.startReconnection(connectionFor(connectedAccount()), ctx), // 404 → connection_terminal
      () => {
        server.use(
          http.get(`${BASE}/accounts/:id`, () => HttpResponse.json({ detail: 'x' }, { status: 429 })),
        );
        return provider.fetchStatus(connectionFor(connectedAccount()));
      },
      () => {
        server.use(http.get(`${BASE}/accounts/:id`, () => HttpResponse.error()));
        return provider.fetchStatus(connectionFor(connectedAccount()));
      },
      () => {
        server.use(
          http.get(`${BASE}/accounts/:id`, () => HttpResponse.json({ email: ['bad'] }, { status: 400 })),
        );
        return provider.fetchStatus(connectionFor(connectedAccount()));
      },
      () => {
        server.use(http.get(`${BASE}/accounts/:id`, () => new HttpResponse('{not json', { status: 200 })));
        return provider.fetchStatus(connectionFor(connectedAccount()));
      },
    ];
    for (const fail of failures) {
      const error = await rejection(fail());
      const visible = `${error.message} ${JSON.stringify(error)} ${String(error.stack)}`;
      expect(visible).not.toContain(API_SECRET);
      expect(visible).not.toContain(basic);
    }
  });
});

describe('listAccounts (pagination)', () => {
  it('follows `next` verbatim until null or "" and validates every account', async () => {
    const [a, b, c] = ['01', '02', '03'].map((n) => ({
      ...connectedAccount(),
      id: `019c0b40-0000-7000-8000-0000000000${n}`,
    }));
    server.use(
      http.get(`${BASE}/accounts`, ({ request }) => {
        const cursor = new URL(request.url).searchParams.get('cursor');
        if (!cursor)
          return HttpResponse.json({
            next: `${BASE}/accounts?cursor=Mg%3D%3D`,
            previous: null,
            results: [a],
          });
        if (cursor === 'Mg==')
          return HttpResponse.json({
            next: `${BASE}/accounts?cursor=Mw%3D%3D`,
            previous: null,
            results: [b],
          });
        return HttpResponse.json({ next: '', previous: null, results: [c] });
      }),
    );
    const listed = await provider.listAccounts('019c0b38-9f21-5c6e-7a10-3b4d2e6f8a01');
    expect(listed.map((x) => x.id)).toEqual([a!.id, b!.id, c!.id]);
    expect(calls).toEqual([
      'GET /v2/accounts?user=019c0b38-9f21-5c6e-7a10-3b4d2e6f8a01&limit=200',
      'GET /v2/accounts?cursor=Mg%3D%3D',
      'GET /v2/accounts?cursor=Mw%3D%3D',
    ]);
  });

  it('never follows `next` to another origin (the Basic credentials stay home)', async () => {
    const foreign: string[] = [];
    server.use(
      http.get(`${BASE}/accounts`, () =>
        HttpResponse.json({
          next: 'https://evil.example.com/v2/accounts?cursor=x',
          previous: null,
          results: [],
        }),
      ),
      http.get('https://evil.example.com/*', ({ request }) => {
        foreign.push(request.headers.get('authorization') ?? '');
        return HttpResponse.json({ next: null, previous: null, results: [] });
      }),
    );
    const error = await rejection(provider.listAccounts());
    expect(error.code).toBe('upstream_error');
    expect(error.message).toContain('another origin');
    expect(foreign).toEqual([]);
  });

  it('stops on a `next` loop instead of spinning forever', async () => {
    server.use(
      http.get(`${BASE}/accounts`, () =>
        HttpResponse.json({ next: `${BASE}/accounts?cursor=same`, previous: null, results: [] }),
      ),
    );
    expect((await rejection(provider.listAccounts())).message).toContain('did not terminate');
  });
});
