import { assertScenarioCatalogue } from '@reconnect-kit/mock-engine';
import Finch from '@tryfinch/finch-api';
import { afterEach, describe, expect, test } from 'vitest';
import { finchMock } from './definition.js';
import { completeConnect, redirectParams, useMockWithReceiver } from './finch.test-helpers.js';

const CALLBACK = 'https://host.example/finch/callback';
const env = useMockWithReceiver();
afterEach(() => expect(env.mock.payloads.takeViolations()).toEqual([]));

interface Seeded {
  connection_id: string;
  company_id: string;
  access_token: string;
}

async function seed(input: Record<string, unknown> = {}): Promise<Seeded> {
  const { status, json } = await env.mock.admin('/scenarios/finch.seed_connected', input);
  expect(status).toBe(200);
  return json.changed as Seeded;
}

async function run(id: string, input: Record<string, unknown>) {
  const { status, json } = await env.mock.admin(`/scenarios/${id}`, input);
  expect(status, JSON.stringify(json)).toBe(200);
  return json as { changed: Record<string, unknown>; webhooks: { id: string; eventType: string }[] };
}

/** Delivered webhooks, verified and parsed by the official SDK. */
async function deliveredEvents() {
  await env.mock.admin('/webhooks/flush');
  const events = env.receiver.received
    .splice(0)
    .map((w) => env.mock.app.webhooks.unwrap(w.body, w.headers as Record<string, string>));
  return events as unknown as { event_type: string; connection_id: string; data: { status?: string } }[];
}

async function dataError(client: Finch) {
  const error = await client.hris.directory.list().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(Finch.APIError);
  return error as InstanceType<typeof Finch.APIError>;
}

test('every scenario is in fixtures/scenarios/finch.json and vice versa', () => {
  expect(() => assertScenarioCatalogue(finchMock)).not.toThrow();
});

describe('scenario effects', () => {
  test('finch.seed_connected returns a working connection', async () => {
    const seeded = await seed({ provider_id: 'justworks', employee_size: 3, customer_id: 'cust-seed' });
    const client = env.mock.forToken(seeded.access_token);
    const introspection = await client.account.introspect();
    expect(introspection).toMatchObject({
      connection_id: seeded.connection_id,
      company_id: seeded.company_id,
      provider_id: 'justworks',
      customer_id: 'cust-seed',
      connection_status: { status: 'connected' },
    });
    expect((await client.hris.directory.list()).individuals).toHaveLength(3);
    expect(await deliveredEvents()).toEqual([]);
  });

  test('finch.reauth: account.updated reauth, data calls 401 reauthenticate_user, introspect still 200', async () => {
    const seeded = await seed();
    const result = await run('finch.reauth', { target: seeded.connection_id });
    expect(result.changed).toEqual({
      connection_id: seeded.connection_id,
      status: { from: 'connected', to: 'reauth' },
    });
    expect(result.webhooks.map((w) => w.eventType)).toEqual(['account.updated']);
    const client = env.mock.forToken(seeded.access_token);
    const error = await dataError(client);
    expect(error.status).toBe(401);
    expect(error.error).toMatchObject({ finch_code: 'reauthenticate_user' });
    expect((await client.account.introspect()).connection_status.status).toBe('reauth');
    const events = await deliveredEvents();
    expect(events).toMatchObject([
      { event_type: 'account.updated', connection_id: seeded.connection_id, data: { status: 'reauth' } },
    ]);
  });

  test('finch.permissions_lost: 403 error_permissions / insufficient_account_permissions', async () => {
    const seeded = await seed();
    await run('finch.permissions_lost', { target: seeded.connection_id });
    const error = await dataError(env.mock.forToken(seeded.access_token));
    expect(error).toBeInstanceOf(Finch.PermissionDeniedError);
    expect(error.error).toMatchObject({
      name: 'error_permissions',
      finch_code: 'insufficient_account_permissions',
    });
    expect((await deliveredEvents())[0]?.data.status).toBe('error_permissions');
  });

  test('finch.disconnected: every token answers 401 invalid_token_error, account.updated disconnected', async () => {
    const seeded = await seed();
    await run('finch.disconnected', { target: seeded.connection_id });
    const client = env.mock.forToken(seeded.access_token);
    const introspect = await client.account.introspect().catch((e: unknown) => e);
    expect(introspect).toBeInstanceOf(Finch.AuthenticationError);
    expect((introspect as InstanceType<typeof Finch.APIError>).error).toEqual({
      code: 401,
      name: 'invalid_token_error',
      message: 'Unauthorized',
    });
    expect((await deliveredEvents())[0]?.data.status).toBe('disconnected');
    const again = await env.mock.admin('/scenarios/finch.reauth', { target: seeded.connection_id });
    expect(again.status).toBe(409);
  });

  test('finch.reauth_different_company: the next Connect login lands in another company', async () => {
    const seeded = await seed();
    const result = await run('finch.reauth_different_company', { target: seeded.connection_id });
    expect(result.changed).toMatchObject({ next_login_lands_in_new_company: true, status: { to: 'reauth' } });
    const session = await env.mock.app.connect.sessions.reauthenticate({
      connection_id: seeded.connection_id,
      redirect_uri: CALLBACK,
    });
    const code = redirectParams(await completeConnect(env.mock.url, session.connect_url)).searchParams.get(
      'code',
    )!;
    const token = await env.mock.app.accessTokens.create({ code, redirect_uri: CALLBACK });
    expect(token.connection_id).not.toBe(seeded.connection_id);
    expect(token.company_id).not.toBe(seeded.company_id);
    // The original connection is still broken; only the next login was affected.
    expect((await env.mock.forToken(seeded.access_token).account.introspect()).connection_status.status).toBe(
      'reauth',
    );
    const retry = await env.mock.app.connect.sessions.reauthenticate({
      connection_id: seeded.connection_id,
      redirect_uri: CALLBACK,
    });
    const retryCode = redirectParams(await completeConnect(env.mock.url, retry.connect_url)).searchParams.get(
      'code',
    )!;
    const repaired = await env.mock.app.accessTokens.create({ code: retryCode, redirect_uri: CALLBACK });
    expect(repaired.company_id).toBe(seeded.company_id);
    await deliveredEvents();
  });

  test('finch.rate_limited: the next N data calls are 429 with Retry-After, then data flows again', async () => {
    const seeded = await seed();
    await run('finch.rate_limited', { target: seeded.connection_id, calls: 2, retry_after_seconds: 7 });
    const client = env.mock.forToken(seeded.access_token);
    for (let call = 0; call < 2; call++) {
      const error = await dataError(client);
      expect(error).toBeInstanceOf(Finch.RateLimitError);
      expect(error.headers?.get('retry-after')).toBe('7');
      expect(error.error).toMatchObject({
        code: 429,
        name: 'rate_limit_exceeded_error',
        finch_code: 'finch_application_rl',
      });
    }
    expect((await client.hris.company.retrieve()).id).toBe(seeded.company_id);
  });

  test('finch.rate_limited: an SDK with retries honours Retry-After and then succeeds', async () => {
    const seeded = await seed();
    await run('finch.rate_limited', { target: seeded.connection_id, calls: 1, retry_after_seconds: 0 });
    await fetch(`${env.mock.url}/__admin/requests`, { method: 'DELETE' });
    const retrying = new Finch({ baseURL: env.mock.url, accessToken: seeded.access_token, maxRetries: 1 });
    expect((await retrying.hris.company.retrieve()).id).toBe(seeded.company_id);
    const journal = (await fetch(`${env.mock.url}/__admin/requests?path=/employer/company`).then((r) =>
      r.json(),
    )) as {
      requests: { status: number; headers: Record<string, string> }[];
    };
    expect(journal.requests.map((r) => [r.status, r.headers['x-stainless-retry-count']])).toEqual([
      [429, '0'],
      [200, '1'],
    ]);
  });

  test('finch.provider_outage: 502 upstream_provider_error until the mock clock passes the window', async () => {
    const seeded = await seed();
    await run('finch.provider_outage', { target: seeded.connection_id, duration_seconds: 120 });
    const client = env.mock.forToken(seeded.access_token);
    const error = await dataError(client);
    expect(error).toBeInstanceOf(Finch.InternalServerError);
    expect(error.status).toBe(502);
    expect(error.error).toMatchObject({ name: 'bad_gateway_error', finch_code: 'upstream_provider_error' });
    expect((await client.account.introspect()).connection_status.status).toBe('connected');
    await env.mock.admin('/clock', { advance_ms: 120_000 });
    expect((await client.hris.company.retrieve()).id).toBe(seeded.company_id);
  });

  test('an unknown target is 404 target_not_found; unknown input fields are rejected', async () => {
    const missing = await env.mock.admin('/scenarios/finch.reauth', { target: 'nope' });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error: 'target_not_found' });
    const seeded = await seed();
    const extra = await env.mock.admin('/scenarios/finch.reauth', {
      target: seeded.connection_id,
      colour: 'red',
    });
    expect(extra.status).toBe(400);
  });
});
