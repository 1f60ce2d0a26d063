import { inspect } from 'node:util';
import { Configuration, PlaidApi } from 'plaid';
import { describe, expect, it } from 'vitest';
import {
  CONFIG,
  CONNECTION,
  fakePlaid,
  NOW,
  payload,
  providerWith,
  signedWebhook,
  testKey,
} from './plaid.test-helpers.js';

const loginRequired = payload('item-get-response.login-required');
const healthy = payload('item-get-response.healthy');
const itemError = payload('error.item-login-required');

describe('PlaidProvider', () => {
  it('sends the API keys and Plaid-Version on every call, and keeps the secret out of inspect and JSON', async () => {
    const api = fakePlaid({ '/item/get': { status: 200, body: healthy } });
    const { provider } = providerWith(api.fetch);
    await provider.fetchStatus(CONNECTION);
    const [call] = api.calls;
    expect(call?.headers.get('plaid-client-id')).toBe(CONFIG.clientId);
    expect(call?.headers.get('plaid-secret')).toBe(CONFIG.secret);
    expect(call?.headers.get('plaid-version')).toBe('2020-09-14');
    expect(call?.body).toEqual({ access_token: CONNECTION.secrets.access_token });
    expect(inspect(provider, { depth: 5 })).not.toContain(CONFIG.secret);
    expect(JSON.stringify(provider)).not.toContain(CONFIG.secret);
  });

  it('fetchStatus maps item.error; an Item Plaid no longer knows is revoked', async () => {
    const statusOf = async (answer: { status: number; body: unknown }) =>
      providerWith(fakePlaid({ '/item/get': answer }).fetch).provider.fetchStatus(CONNECTION);
    expect(await statusOf({ status: 200, body: healthy })).toMatchObject({ state: 'connected' });
    expect(await statusOf({ status: 200, body: loginRequired })).toMatchObject({
      state: 'needs_reauth',
      vendor: { status: 'ITEM_ERROR', code: 'ITEM_LOGIN_REQUIRED' },
      problem: { fix: 'reenter_credentials' },
    });
    const gone = { ...itemError, error_code: 'ITEM_NOT_FOUND' };
    expect(await statusOf({ status: 400, body: gone })).toMatchObject({ state: 'revoked' });
    await expect(
      statusOf({
        status: 400,
        body: { ...itemError, error_type: 'INVALID_INPUT', error_code: 'INVALID_API_KEYS' },
      }),
    ).rejects.toMatchObject({
      code: 'upstream_error',
      message: 'Plaid /item/get failed with HTTP 400 (INVALID_INPUT INVALID_API_KEYS).',
    });
  });

  it('fetchStatus reports a consent ending in the future as an early warning, and nothing for a past one', async () => {
    const withConsent = (at: string) => ({
      ...healthy,
      item: { ...(healthy.item as object), consent_expiration_time: at },
    });
    const statusOf = (body: unknown) =>
      providerWith(fakePlaid({ '/item/get': { status: 200, body } }).fetch).provider.fetchStatus(CONNECTION);
    expect(await statusOf(withConsent('2026-12-14T12:00:00Z'))).toMatchObject({
      state: 'connected',
      warning: { code: 'consent_expiring', deadline: new Date('2026-12-14T12:00:00Z') },
    });
    expect(await statusOf(withConsent('2024-03-16T15:53:00Z'))).not.toHaveProperty('warning');
  });

  it('classifyError reads the SDK error and maps Plaid codes; other errors say nothing', async () => {
    const api = fakePlaid({ '/accounts/get': { status: 400, body: itemError } });
    const { provider } = providerWith(api.fetch);
    // What the host's own SDK call throws (an AxiosError carrying Plaid's error object).
    const hostClient = new PlaidApi(
      new Configuration({
        basePath: 'https://plaid.test',
        baseOptions: { adapter: 'fetch', env: { fetch: api.fetch } },
      }),
    );
    const sdkError = await hostClient
      .accountsGet({ access_token: 'access-sandbox-1' })
      .catch((error: unknown) => error);
    expect(provider.classifyError(sdkError)).toMatchObject({
      state: 'needs_reauth',
      vendor: { status: 'ITEM_ERROR', code: 'ITEM_LOGIN_REQUIRED' },
    });
    expect(provider.classifyError({ response: { status: 400, data: itemError } })).toMatchObject({
      state: 'needs_reauth',
    });
    expect(
      provider.classifyError({
        status: 400,
        body: JSON.stringify({
          ...itemError,
          error_type: 'INSTITUTION_ERROR',
          error_code: 'INSTITUTION_DOWN',
        }),
      }),
    ).toMatchObject({
      state: 'degraded',
      fix: 'wait',
    });
    expect(
      provider.classifyError({
        response: {
          status: 400,
          data: { ...itemError, error_type: 'INVALID_REQUEST', error_code: 'MISSING_FIELDS' },
        },
      }),
    ).toBeUndefined();
    expect(provider.classifyError(new Error('socket hang up'))).toBeUndefined();
  });

  it('classifyError reads Retry-After as seconds or an HTTP date counted from the clock', () => {
    const { provider } = providerWith(fakePlaid({}).fetch);
    const rateLimited = (retryAfter: string) =>
      provider.classifyError({
        response: {
          status: 429,
          data: { ...itemError, error_type: 'RATE_LIMIT_EXCEEDED', error_code: 'RATE_LIMIT' },
          headers: { 'retry-after': retryAfter },
        },
      })?.retryAfterMs;
    expect(rateLimited('30')).toBe(30_000);
    // NOW is 2026-12-07T12:00:00Z.
    expect(rateLimited('Mon, 07 Dec 2026 12:02:00 GMT')).toBe(120_000);
    expect(rateLimited('1.5')).toBeUndefined();
    expect(rateLimited('')).toBeUndefined();
  });

  it('startReconnection opens update mode for the Item on hosted Link, coming back with the state', async () => {
    const api = fakePlaid({
      '/link/token/create': { status: 200, body: payload('link-token-create-response.hosted') },
    });
    const { provider } = providerWith(api.fetch, { webhookUrl: 'https://host.example/webhooks/plaid' });
    const expiresAt = new Date(NOW.getTime() + 600_000);
    const action = await provider.startReconnection(CONNECTION, { state: 'st_1', expiresAt, now: NOW });
    expect(action).toEqual({
      kind: 'redirect',
      url: 'https://hosted.plaid.com/link/lp0a1b2c3d4e5f',
      state: 'st_1',
      expiresAt: new Date('2020-03-27T12:56:34Z'),
    });
    expect(api.calls[0]?.body).toMatchObject({
      access_token: CONNECTION.secrets.access_token,
      user: { client_user_id: 'user-42' },
      client_name: 'Test App',
      country_codes: ['US'],
      language: 'en',
      webhook: 'https://host.example/webhooks/plaid',
      hosted_link: { completion_redirect_uri: 'https://host.example/plaid/callback?state=st_1' },
    });
    expect(api.calls[0]?.body).not.toHaveProperty('products');
  });

  it("with reconnectAction 'widget', the action is the link token for Plaid Link in the host's page", async () => {
    const api = fakePlaid({
      '/link/token/create': { status: 200, body: payload('link-token-create-response.hosted') },
    });
    const { provider } = providerWith(api.fetch, { reconnectAction: 'widget' });
    const expiresAt = new Date('2020-03-27T12:00:00Z');
    expect(await provider.startReconnection(CONNECTION, { state: 'st_2', expiresAt, now: NOW })).toEqual({
      kind: 'widget',
      provider: 'plaid',
      config: { linkToken: 'link-sandbox-af1a0311-da53-4636-b754-dd15cc058176' },
      mode: 'reenter_credentials',
      url: 'https://hosted.plaid.com/link/lp0a1b2c3d4e5f',
      state: 'st_2',
      expiresAt,
    });
  });

  it('completeReconnection trusts /item/get, not the callback: same Item when repaired, failed while broken', async () => {
    let answer = loginRequired;
    const api = fakePlaid({ '/item/get': () => ({ status: 200, body: answer }) });
    const { provider } = providerWith(api.fetch);
    expect(await provider.completeReconnection(CONNECTION, { state: 'st_1' })).toMatchObject({
      outcome: 'failed',
      problem: { state: 'needs_reauth' },
    });
    answer = healthy;
    expect(await provider.completeReconnection(CONNECTION, { state: 'st_1' })).toEqual({
      outcome: 'completed',
      upstreamId: CONNECTION.upstreamId,
      state: 'connected',
      vendor: { status: 'ITEM', code: null, message: null },
    });
  });

  it('revoke removes the Item; an Item already gone is fine; other failures surface', async () => {
    const removed = fakePlaid({ '/item/remove': { status: 200, body: { request_id: 'r1' } } });
    await providerWith(removed.fetch).provider.revoke(CONNECTION);
    expect(removed.calls.map((call) => call.path)).toEqual(['/item/remove']);
    const gone = fakePlaid({
      '/item/remove': { status: 400, body: { ...itemError, error_code: 'ITEM_NOT_FOUND' } },
    });
    await expect(providerWith(gone.fetch).provider.revoke(CONNECTION)).resolves.toBeUndefined();
    const down = fakePlaid({
      '/item/remove': {
        status: 500,
        body: { ...itemError, error_type: 'API_ERROR', error_code: 'INTERNAL_SERVER_ERROR' },
      },
    });
    await expect(providerWith(down.fetch).provider.revoke(CONNECTION)).rejects.toMatchObject({
      code: 'upstream_unavailable',
    });
  });

  it('verifyWebhook fetches the key by kid from /webhook_verification_key/get; an unknown kid is refused', async () => {
    const key = testKey('kid-1');
    const api = fakePlaid({
      '/webhook_verification_key/get': (body) =>
        body.key_id === 'kid-1'
          ? { status: 200, body: { key: { ...key.jwk, use: 'sig', created_at: 1 }, request_id: 'r' } }
          : {
              status: 400,
              body: {
                ...itemError,
                error_type: 'INVALID_INPUT',
                error_code: 'INVALID_WEBHOOK_VERIFICATION_KEY_ID',
              },
            },
    });
    const { provider } = providerWith(api.fetch);
    const body = payload('item-error-webhook.login-required');
    const { rawBody, headers } = signedWebhook(body, key);
    expect(await provider.verifyWebhook(rawBody, headers, NOW)).toMatchObject({ provider: 'plaid', body });
    const stranger = signedWebhook(body, testKey('kid-2'));
    await expect(provider.verifyWebhook(stranger.rawBody, stranger.headers, NOW)).rejects.toMatchObject({
      code: 'webhook_signature_invalid',
    });
    expect(api.calls.map((call) => call.body.key_id)).toEqual(['kid-1', 'kid-2']);
  });
});
