import Finch from '@tryfinch/finch-api';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  completeConnect,
  credentials,
  hiddenFields,
  postConnectForm,
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

async function apiError(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(Finch.APIError);
  return error as InstanceType<typeof Finch.APIError>;
}

describe('Connect sessions', () => {
  test('a new session connects a new company; a second session for the customer is connection_already_exists', async () => {
    const session = await mock.app.connect.sessions.new({
      customer_id: 'cust-1',
      customer_name: 'Acme Inc',
      products: ['company', 'directory'],
      redirect_uri: CALLBACK,
    });
    const page = await fetch(session.connect_url).then((r) => r.text());
    expect(page).toContain('<select id="provider_id"');
    const login = { provider_id: 'gusto', username: 'good_user', password: 'good_pass' };
    const done = await postConnectForm(mock.url, { ...hiddenFields(page), ...login });
    const code = redirectParams(done).searchParams.get('code')!;
    const token = await mock.app.accessTokens.create({ code, redirect_uri: CALLBACK });
    expect(token).toMatchObject({
      customer_id: 'cust-1',
      customer_name: 'Acme Inc',
      products: ['company', 'directory'],
      provider_id: 'gusto',
    });

    const again = await apiError(
      mock.app.connect.sessions.new({
        customer_id: 'cust-1',
        customer_name: 'Acme Inc',
        products: ['company'],
      }),
    );
    expect(again).toBeInstanceOf(Finch.BadRequestError);
    expect(again.error).toMatchObject({
      code: 400,
      name: 'bad_request',
      finch_code: 'connection_already_exists',
      context: { customer_id: 'cust-1', connection_id: token.connection_id },
    });

    // Once disconnected, the customer can connect again (and gets a new connection).
    await mock.forToken(token.access_token).account.disconnect();
    const fresh = await mock.app.connect.sessions.new({
      customer_id: 'cust-1',
      customer_name: 'Acme Inc',
      products: ['company'],
    });
    expect(fresh.session_id).not.toBe(session.session_id);
  });

  test('reauthenticate: unknown connection is 400 "Connection not found"; bad client credentials are 401', async () => {
    const missing = await apiError(
      mock.app.connect.sessions.reauthenticate({ connection_id: '00000000-0000-4000-8000-000000000000' }),
    );
    expect(missing.status).toBe(400);
    expect(missing.error).toEqual({
      code: 400,
      name: 'bad_request',
      finch_code: 'invalid_request',
      message: 'Connection not found',
    });
    const wrongClient = new Finch({
      baseURL: mock.url,
      clientID: credentials.client_id,
      clientSecret: 'nope',
      maxRetries: 0,
    });
    const unauthorized = await apiError(wrongClient.connect.sessions.reauthenticate({ connection_id: 'x' }));
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.error).toMatchObject({ code: 401, finch_code: 'invalid_client' });
  });

  test('invalid bodies are 400 invalid_request naming the field, and create nothing', async () => {
    const sessionsBefore = mock.server.instance.ctx.state.sessions.size;
    const error = await apiError(
      mock.app.connect.sessions.new({
        customer_id: 'c',
        customer_name: 'C',
        products: ['payroll' as 'company'],
      }),
    );
    expect(error.status).toBe(400);
    expect((error.error as { message: string }).message).toMatch(/products\.0/);
    expect(mock.server.instance.ctx.state.sessions.size).toBe(sessionsBefore);
  });
});

describe('the Connect page', () => {
  async function reauthSession(minutes?: number) {
    const sandbox = await mock.app.sandbox.connections.create({ provider_id: 'gusto' });
    const session = await mock.app.connect.sessions.reauthenticate({
      connection_id: sandbox.connection_id,
      redirect_uri: CALLBACK,
      ...(minutes ? { minutes_to_expire: minutes } : {}),
    });
    return { sandbox, session };
  }

  test('is accessible HTML: lang, main landmark, labelled inputs, no provider picker for a re-auth', async () => {
    const { session } = await reauthSession();
    const response = await fetch(session.connect_url);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toContain('<main>');
    expect(html).toContain('<label for="username">');
    expect(html).toContain('<label for="password">');
    expect(html).toContain('Gusto');
    expect(html).not.toContain('<select');
  });

  test('wrong credentials re-render the form with an alert (401) and issue no code', async () => {
    const { session } = await reauthSession();
    const codesBefore = mock.server.instance.ctx.state.codes.size;
    const response = await completeConnect(mock.url, session.connect_url, {
      username: 'good_user',
      password: 'bad',
    });
    expect(response.status).toBe(401);
    const html = await response.text();
    expect(html).toContain('role="alert"');
    expect(hiddenFields(html).session).toBe(session.session_id);
    expect(mock.server.instance.ctx.state.codes.size).toBe(codesBefore);
  });

  test('sessions expire on the mock clock and are single-use', async () => {
    const { session } = await reauthSession(5);
    await mock.admin('/clock', { advance_ms: 5 * 60_000 });
    expect((await fetch(session.connect_url)).status).toBe(410);

    const second = await reauthSession();
    expect((await completeConnect(mock.url, second.session.connect_url)).status).toBe(302);
    expect((await fetch(second.session.connect_url)).status).toBe(410);
    expect((await fetch(`${mock.url}/authorize?session=unknown`)).status).toBe(404);
  });

  test('by default a re-auth session lives 30 days and a new-connection session 90 days', async () => {
    const { session } = await reauthSession();
    const fresh = await mock.app.connect.sessions.new({
      customer_id: `expiry-${Date.now()}`,
      customer_name: 'Expiry Inc',
      products: ['company'],
    });
    const DAY = 86_400_000;
    await mock.admin('/clock', { advance_ms: 30 * DAY - 60_000 });
    expect((await fetch(session.connect_url)).status).toBe(200);
    await mock.admin('/clock', { advance_ms: 60_000 });
    expect((await fetch(session.connect_url)).status).toBe(410);
    expect((await fetch(fresh.connect_url)).status).toBe(200);
    await mock.admin('/clock', { advance_ms: 60 * DAY });
    expect((await fetch(fresh.connect_url)).status).toBe(410);
  });

  test('the legacy authorize URL: picker unless payroll_provider; re-auth resolves the existing connection', async () => {
    const legacy = (extra: Record<string, string>) =>
      `${mock.url}/authorize?${new URLSearchParams({
        client_id: credentials.client_id,
        products: 'company directory',
        redirect_uri: CALLBACK,
        state: 'legacy-state',
        ...extra,
      })}`;
    expect(await fetch(legacy({})).then((r) => r.text())).toContain('<select id="provider_id"');
    expect((await fetch(legacy({ client_id: 'someone-else' }))).status).toBe(400);
    expect((await fetch(legacy({ redirect_uri: 'javascript:alert(1)' }))).status).toBe(400);

    const sandbox = await mock.app.sandbox.connections.create({ provider_id: 'paychex_flex' });
    await mock
      .forToken(sandbox.access_token)
      .sandbox.connections.accounts.update({ connection_status: 'reauth' });
    const page = await fetch(legacy({ payroll_provider: 'paychex_flex' })).then((r) => r.text());
    expect(page).not.toContain('<select');
    const redirect = redirectParams(
      await postConnectForm(mock.url, {
        ...hiddenFields(page),
        username: 'good_user',
        password: 'good_pass',
      }),
    );
    expect(redirect.searchParams.get('state')).toBe('legacy-state');
    const token = await mock.app.accessTokens.create({
      code: redirect.searchParams.get('code')!,
      redirect_uri: CALLBACK,
    });
    expect(token.connection_id).toBe(sandbox.connection_id);
    expect(token.company_id).toBe(sandbox.company_id);
    expect((await mock.forToken(token.access_token).account.introspect()).connection_status.status).toBe(
      'connected',
    );

    // With the picker, a provider nobody connected yet makes a new connection in a new company.
    const picked = await fetch(legacy({})).then((r) => r.text());
    const fresh = redirectParams(
      await postConnectForm(mock.url, {
        ...hiddenFields(picked),
        provider_id: 'rippling',
        username: 'good_user',
        password: 'good_pass',
      }),
    );
    const other = await mock.app.accessTokens.create({
      code: fresh.searchParams.get('code')!,
      redirect_uri: CALLBACK,
    });
    expect(other.provider_id).toBe('rippling');
    expect(other.connection_id).not.toBe(sandbox.connection_id);
  });
});
