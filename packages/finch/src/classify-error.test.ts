import { ReconnectKitError } from '@reconnect-kit/core';
import Finch, { APIError } from '@tryfinch/finch-api';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BASE_URL, fixture, makeProvider } from './finch.test-helpers.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const provider = makeProvider();

/** Makes a real SDK call that fails with the given Finch error body, and returns what the SDK threw. */
async function sdkErrorFor(
  status: number,
  body: object,
  headers: Record<string, string> = {},
): Promise<unknown> {
  server.use(http.get(`${BASE_URL}/employer/directory`, () => HttpResponse.json(body, { status, headers })));
  const finch = new Finch({ accessToken: 'token', baseURL: BASE_URL, maxRetries: 0 });
  return finch.hris.directory.list().then(
    () => expect.unreachable('the call should fail'),
    (error: unknown) => error,
  );
}

/** [fixture, HTTP status, expected state, expected fix, expected vendor status, expected vendor code] */
const CASES = [
  ['error.reauthenticate-user', 401, 'needs_reauth', 'reenter_credentials', 'reauth', 'reauthenticate_user'],
  [
    'error.account-setup-required',
    401,
    'needs_credentials',
    'user_action_elsewhere',
    'error_no_account_setup',
    'account_setup_required',
  ],
  [
    'error.insufficient-permissions',
    403,
    'needs_credentials',
    'user_action_elsewhere',
    'error_permissions',
    'insufficient_account_permissions',
  ],
  ['error.invalid-token', 401, 'revoked', 'new_connection', 'disconnected', 'invalid_token_error'],
  ['error.rate-limited', 429, 'degraded', 'wait', 'rate_limit_exceeded_error', 'finch_application_rl'],
  ['error.bad-gateway', 502, 'degraded', 'wait', 'bad_gateway_error', 'upstream_provider_error'],
] as const;

describe('classifyError', () => {
  it.each(CASES)('SDK error from %s (HTTP %i) → %s', async (name, status, state, fix, vendorStatus, code) => {
    const error = await sdkErrorFor(status, fixture(`payloads/finch/${name}.json`));
    expect(error).toBeInstanceOf(APIError);
    const problem = provider.classifyError(error);
    expect(problem).toMatchObject({ state, fix, vendor: { status: vendorStatus, code } });
    expect(problem?.reason.length).toBeGreaterThan(10);
  });

  it.each(CASES)('plain { status, body } from %s (HTTP %i) → %s', (name, status, state, fix) => {
    const body = fixture(`payloads/finch/${name}.json`);
    expect(provider.classifyError({ status, body })).toMatchObject({ state, fix });
    expect(provider.classifyError({ status, body: JSON.stringify(body) })).toMatchObject({ state, fix });
  });

  it('reads Retry-After (seconds or HTTP date) and retry-after-ms from SDK errors, responses and plain objects', async () => {
    const body = fixture('payloads/finch/error.rate-limited.json');
    const sdkError = await sdkErrorFor(429, body, { 'retry-after': '30' });
    expect(provider.classifyError(sdkError)).toMatchObject({ state: 'degraded', retryAfterMs: 30_000 });
    const response = new Response(JSON.stringify(body), {
      status: 429,
      headers: { 'retry-after-ms': '1500' },
    });
    expect(provider.classifyError(response)).toMatchObject({ state: 'degraded', retryAfterMs: 1500 });
    expect(provider.classifyError({ status: 429, body, headers: { 'Retry-After': '7' } })?.retryAfterMs).toBe(
      7000,
    );
    // An HTTP date counts from the provider's clock (2026-11-23T12:00:00Z).
    const dated = { status: 429, body, headers: { 'retry-after': 'Mon, 23 Nov 2026 12:01:00 GMT' } };
    expect(provider.classifyError(dated)?.retryAfterMs).toBe(60_000);
    expect(provider.classifyError({ status: 429, body })?.retryAfterMs).toBeUndefined();
    // Only whole seconds are a delta (RFC 9110): "1.5" and an empty header are ignored.
    for (const value of ['1.5', '']) {
      const headers = { 'retry-after': value };
      expect(provider.classifyError({ status: 429, body, headers })?.retryAfterMs).toBeUndefined();
    }
  });

  it('classifies a raw Response by status only (its body cannot be read synchronously)', () => {
    expect(provider.classifyError(new Response(null, { status: 503 }))).toMatchObject({ state: 'degraded' });
    expect(provider.classifyError(new Response(null, { status: 500 }))).toMatchObject({ state: 'degraded' });
    // A 401 could be reauth or a bad token: without the body it is not guessed.
    expect(provider.classifyError(new Response('{}', { status: 401 }))).toBeUndefined();
  });

  it.each([
    ['error.invalid-grant', 400],
    ['error.connection-not-found', 400],
    ['error.invalid-client', 401],
    ['error.unauthorized-legacy', 401],
  ])('%s (HTTP %i) says nothing about the connection', async (name, status) => {
    expect(
      provider.classifyError(await sdkErrorFor(status, fixture(`payloads/finch/${name}.json`))),
    ).toBeUndefined();
  });

  it('ignores errors that are not Finch HTTP errors', () => {
    expect(provider.classifyError(new Error('boom'))).toBeUndefined();
    expect(provider.classifyError(new ReconnectKitError('upstream_error'))).toBeUndefined();
    expect(provider.classifyError(Object.assign(new Error('has a status'), { status: 401 }))).toBeUndefined();
    expect(provider.classifyError({ status: 404, body: { name: 'not_found_error' } })).toBeUndefined();
    expect(provider.classifyError({ status: 501, body: { name: 'not_implemented_error' } })).toBeUndefined();
    expect(provider.classifyError(undefined)).toBeUndefined();
    expect(provider.classifyError('401 reauthenticate_user')).toBeUndefined();
  });
});
