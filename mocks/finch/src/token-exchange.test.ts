import Finch from '@tryfinch/finch-api';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import {
  completeConnect as connectAndSignIn,
  credentials,
  hiddenFields,
  redirectParams,
  startTestMock,
  type TestMock,
} from './finch.test-helpers.js';

const CALLBACK = 'https://host.example/finch/callback';
let mock: TestMock;

beforeAll(async () => {
  mock = await startTestMock();
});
afterAll(() => mock.close());
afterEach(() => expect(mock.payloads.takeViolations()).toEqual([]));

/** A sandbox connection put in reauth, a reauth session with `redirectUri`, and the code Connect returned. */
async function reauthCode(redirectUri: string | null = CALLBACK) {
  const sandbox = await mock.app.sandbox.connections.create({ provider_id: 'gusto' });
  await mock
    .forToken(sandbox.access_token)
    .sandbox.connections.accounts.update({ connection_status: 'reauth' });
  const session = await mock.app.connect.sessions.reauthenticate({
    connection_id: sandbox.connection_id,
    ...(redirectUri ? { redirect_uri: redirectUri } : {}),
  });
  const done = await connectAndSignIn(mock.url, session.connect_url);
  const code = redirectUri
    ? redirectParams(done).searchParams.get('code')!
    : /<output id="code">([^<]+)<\/output>/.exec(await done.text())![1]!;
  return { sandbox, code };
}

async function exchangeError(body: Parameters<Finch['accessTokens']['create']>[0], client = mock.app) {
  const error = await client.accessTokens.create(body).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(Finch.APIError);
  return error as InstanceType<typeof Finch.APIError>;
}

test('a code is single-use: the second exchange answers 400 invalid_grant_error', async () => {
  const { sandbox, code } = await reauthCode();
  const token = await mock.app.accessTokens.create({ code, redirect_uri: CALLBACK });
  expect(token.connection_id).toBe(sandbox.connection_id);
  const reused = await exchangeError({ code, redirect_uri: CALLBACK });
  expect(reused).toBeInstanceOf(Finch.BadRequestError);
  expect(reused.error).toMatchObject({ code: 400, name: 'invalid_grant_error' });
});

test('a code expires after 10 minutes of mock time', async () => {
  const fresh = await reauthCode();
  await mock.admin('/clock', { advance_ms: 9 * 60_000 });
  expect(
    (await mock.app.accessTokens.create({ code: fresh.code, redirect_uri: CALLBACK })).access_token,
  ).toBeTruthy();

  const stale = await reauthCode();
  await mock.admin('/clock', { advance_ms: 10 * 60_000 });
  const expired = await exchangeError({ code: stale.code, redirect_uri: CALLBACK });
  expect(expired.status).toBe(400);
  expect(expired.error).toMatchObject({
    name: 'invalid_grant_error',
    message: 'The authorization code has expired',
  });
});

test('redirect_uri must repeat the one Connect was launched with; a mismatch does not burn the code', async () => {
  const { code } = await reauthCode();
  const wrong = await exchangeError({ code, redirect_uri: 'https://evil.example/callback' });
  expect(wrong.status).toBe(400);
  expect(wrong.error).toMatchObject({ name: 'invalid_grant_error' });
  expect((wrong.error as { message: string }).message).toMatch(/redirect_uri/);
  const missing = await exchangeError({ code });
  expect(missing.status).toBe(400);
  expect((await mock.app.accessTokens.create({ code, redirect_uri: CALLBACK })).token_type).toBe('bearer');
});

test('the embedded flow (no redirect_uri) shows the code on the page and rejects a redirect_uri at exchange', async () => {
  const { sandbox, code } = await reauthCode(null);
  expect((await exchangeError({ code, redirect_uri: CALLBACK })).status).toBe(400);
  expect((await mock.app.accessTokens.create({ code })).connection_id).toBe(sandbox.connection_id);
});

test('a wrong client secret answers 401 invalid_client_error and leaves the code usable', async () => {
  const { code } = await reauthCode();
  const wrongSecret = new Finch({
    baseURL: mock.url,
    clientID: credentials.client_id,
    clientSecret: 'not-the-secret',
    maxRetries: 0,
    fetch: mock.payloads.fetch,
  });
  const error = await exchangeError({ code, redirect_uri: CALLBACK }, wrongSecret);
  expect(error).toBeInstanceOf(Finch.AuthenticationError);
  expect(error.error).toEqual({
    code: 401,
    name: 'invalid_client_error',
    message: 'Invalid client credentials',
  });
  expect(JSON.stringify(error.error)).not.toContain('not-the-secret');
  expect((await mock.app.accessTokens.create({ code, redirect_uri: CALLBACK })).access_token).toBeTruthy();
});

test('/auth/token takes credentials from the JSON body only (the SDK sends no Authorization header)', async () => {
  const { code } = await reauthCode();
  const basic = Buffer.from(`${credentials.client_id}:${credentials.client_secret}`).toString('base64');
  const response = await fetch(`${mock.url}/auth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'finch-api-version': '2020-09-17',
      authorization: `Basic ${basic}`,
    },
    body: JSON.stringify({ code, redirect_uri: CALLBACK }),
  });
  expect(response.status).toBe(401);
  expect(await response.json()).toMatchObject({ name: 'invalid_client_error' });

  await mock.app.accessTokens.create({ code, redirect_uri: CALLBACK });
  const journal = (await fetch(`${mock.url}/__admin/requests?path=/auth/token&method=POST`).then((r) =>
    r.json(),
  )) as {
    requests: { headers: Record<string, string>; status: number }[];
  };
  const sdkCall = journal.requests.at(-1)!;
  expect(sdkCall.status).toBe(200);
  expect(sdkCall.headers.authorization).toBeUndefined();
  expect(sdkCall.headers['finch-api-version']).toBe('2020-09-17');
});

test('hidden fields survive escaping (state with & and quotes)', async () => {
  const sandbox = await mock.app.sandbox.connections.create({ provider_id: 'gusto' });
  const session = await mock.app.connect.sessions.reauthenticate({
    connection_id: sandbox.connection_id,
    redirect_uri: CALLBACK,
  });
  const state = `a&b="c"<d>`;
  const page = await fetch(`${session.connect_url}&state=${encodeURIComponent(state)}`).then((r) => r.text());
  expect(page).not.toContain(state);
  expect(hiddenFields(page).state).toBe(state);
});
