import Finch from '@tryfinch/finch-api';
import { afterEach, describe, expect, test } from 'vitest';
import { ALL_PRODUCTS, credentials, useMockWithReceiver } from './finch.test-helpers.js';

const env = useMockWithReceiver();
afterEach(() => expect(env.mock.payloads.takeViolations()).toEqual([]));

async function rawCall(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  const response = await env.mock.payloads.fetch(`${env.mock.url}${path}`, init);
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

describe('authentication and headers', () => {
  test('no Authorization: 401 in the legacy gateway shape', async () => {
    const response = await rawCall('/employer/company', { headers: { 'finch-api-version': '2020-09-17' } });
    expect(response.status).toBe(401);
    expect(response.json).toEqual({
      statusCode: 401,
      status: 401,
      code: 401,
      message: 'Unauthorized request: no authentication given',
      name: 'unauthorized_request_error',
    });
    expect(response.headers.get('finch-request-id')).toBeTruthy();
  });

  test('Finch-API-Version is required (2020-09-17)', async () => {
    const sandbox = await env.mock.app.sandbox.connections.create({ provider_id: 'gusto' });
    const headers = { authorization: `Bearer ${sandbox.access_token}` };
    const missing = await rawCall('/introspect', { headers });
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({ name: 'bad_request', finch_code: 'invalid_request' });
    const other = await rawCall('/introspect', {
      headers: { ...headers, 'finch-api-version': '2024-01-01' },
    });
    expect(String(other.json.message)).toContain('2024-01-01');
    const ok = await rawCall('/introspect', { headers: { ...headers, 'finch-api-version': '2020-09-17' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('finch-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('an unknown bearer token is 401 invalid_token_error; Basic endpoints refuse a bearer token', async () => {
    const unknown = await env.mock
      .forToken('00000000-0000-4000-8000-000000000000')
      .hris.company.retrieve()
      .catch((e) => e);
    expect(unknown).toBeInstanceOf(Finch.AuthenticationError);
    expect((unknown as InstanceType<typeof Finch.APIError>).error).toMatchObject({
      name: 'invalid_token_error',
    });
    const sandbox = await env.mock.app.sandbox.connections.create({ provider_id: 'gusto' });
    const bearerOnBasic = await rawCall('/sandbox/connections', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${sandbox.access_token}`,
        'finch-api-version': '2020-09-17',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ provider_id: 'gusto' }),
    });
    expect(bearerOnBasic.status).toBe(401);
    expect(bearerOnBasic.json).toMatchObject({ finch_code: 'invalid_client' });
  });

  test('a token without the product scope is 403 insufficient_scope_error', async () => {
    const sandbox = await env.mock.app.sandbox.connections.create({
      provider_id: 'gusto',
      products: ['company'],
    });
    const error = await env.mock
      .forToken(sandbox.access_token)
      .hris.directory.list()
      .catch((e) => e);
    expect(error).toBeInstanceOf(Finch.PermissionDeniedError);
    expect((error as InstanceType<typeof Finch.APIError>).error).toMatchObject({
      name: 'insufficient_scope_error',
    });
  });
});

describe('introspect and disconnect', () => {
  test('introspect reports the connection, the token id (not the token) and its status', async () => {
    const sandbox = await env.mock.app.sandbox.connections.create({ provider_id: 'gusto' });
    const introspection = await env.mock.forToken(sandbox.access_token).account.introspect();
    expect(introspection).toMatchObject({
      connection_id: sandbox.connection_id,
      company_id: sandbox.company_id,
      client_id: credentials.client_id,
      client_type: 'sandbox',
      connection_type: 'finch',
      provider_id: 'gusto',
      username: 'good_user',
      connection_status: { status: 'connected', message: 'This employer is working as expected' },
    });
    expect(introspection.id).not.toBe(sandbox.access_token);
  });

  test('POST /disconnect: account.updated disconnected, then every token of the connection is 401', async () => {
    const sandbox = await env.mock.app.sandbox.connections.create({ provider_id: 'gusto' });
    const second = await env.mock.app.sandbox.connections.accounts.create({
      company_id: sandbox.company_id!,
      provider_id: 'gusto',
    });
    expect(second.connection_id).toBe(sandbox.connection_id);
    expect(second.access_token).not.toBe(sandbox.access_token);

    env.receiver.received.length = 0;
    expect(await env.mock.forToken(sandbox.access_token).account.disconnect()).toEqual({ status: 'success' });
    for (const token of [sandbox.access_token, second.access_token]) {
      const error = await env.mock
        .forToken(token)
        .account.introspect()
        .catch((e) => e);
      expect((error as InstanceType<typeof Finch.APIError>).status).toBe(401);
    }
    await env.mock.admin('/webhooks/flush');
    const events = env.receiver.received.map((w) =>
      env.mock.app.webhooks.unwrap(w.body, w.headers as Record<string, string>),
    );
    expect(events).toMatchObject([{ event_type: 'account.updated', data: { status: 'disconnected' } }]);
  });
});

describe('sandbox verbs', () => {
  test('accounts for an unknown company are 400; PUT with a bad status is 400 and changes nothing', async () => {
    const error = await env.mock.app.sandbox.connections.accounts
      .create({ company_id: '00000000-0000-4000-8000-000000000000', provider_id: 'gusto' })
      .catch((e) => e);
    expect((error as InstanceType<typeof Finch.APIError>).status).toBe(400);

    const sandbox = await env.mock.app.sandbox.connections.create({ provider_id: 'gusto' });
    const client = env.mock.forToken(sandbox.access_token);
    const bad = await client.sandbox.connections.accounts
      .update({ connection_status: 'broken' as 'reauth' })
      .catch((e) => e);
    expect((bad as InstanceType<typeof Finch.APIError>).status).toBe(400);
    expect((await client.account.introspect()).connection_status.status).toBe('connected');
  });

  test('jobs configured to end in reauth_error put the connection in reauth; job_url answers', async () => {
    const sandbox = await env.mock.app.sandbox.connections.create({ provider_id: 'gusto' });
    const client = env.mock.forToken(sandbox.access_token);
    expect(await client.sandbox.jobs.configuration.retrieve()).toEqual([
      { type: 'data_sync_all', completion_status: 'complete' },
    ]);
    await client.sandbox.jobs.configuration.update({
      type: 'data_sync_all',
      completion_status: 'reauth_error',
    });
    const job = await client.sandbox.jobs.create({ type: 'data_sync_all' });
    expect(job).toMatchObject({ allowed_refreshes: 10, remaining_refreshes: 9 });
    expect(job.job_url).toBe(`${env.mock.url}/jobs/automated/${job.job_id}`);
    expect((await client.jobs.automated.retrieve(job.job_id)).status).toBe('reauth_error');
    expect((await client.account.introspect()).connection_status.status).toBe('reauth');
  });

  test('refresh quota: 10 sync jobs per day of mock time, then 429', async () => {
    const sandbox = await env.mock.app.sandbox.connections.create({ provider_id: 'gusto' });
    const client = env.mock.forToken(sandbox.access_token);
    for (let job = 0; job < 10; job++) await client.sandbox.jobs.create({ type: 'data_sync_all' });
    const exhausted = await client.sandbox.jobs.create({ type: 'data_sync_all' }).catch((e) => e);
    expect(exhausted).toBeInstanceOf(Finch.RateLimitError);
    expect((exhausted as InstanceType<typeof Finch.APIError>).error).toMatchObject({
      remaining_refreshes: 0,
    });
    await env.mock.admin('/clock', { advance_ms: 86_400_000 });
    expect((await client.sandbox.jobs.create({ type: 'data_sync_all' })).remaining_refreshes).toBe(9);
  });
});

describe('data endpoints', () => {
  test('directory paging: limit/offset, count, and 422 above 10000', async () => {
    const sandbox = await env.mock.app.sandbox.connections.create({
      provider_id: 'gusto',
      employee_size: 12,
    });
    const client = env.mock.forToken(sandbox.access_token);
    const page = await client.hris.directory.list({ limit: 5, offset: 10 });
    expect(page.paging).toEqual({ count: 12, offset: 10 });
    expect(page.individuals).toHaveLength(2);
    const tooBig = await client.hris.directory.list({ limit: 10_001 }).catch((e) => e);
    expect((tooBig as InstanceType<typeof Finch.APIError>).error).toMatchObject({
      code: 422,
      finch_code: 'page_size_limit_exceeded',
    });
  });

  test('payments filter by pay date and require both dates', async () => {
    const sandbox = await env.mock.app.sandbox.connections.create({ provider_id: 'gusto' });
    const client = env.mock.forToken(sandbox.access_token);
    const all = (await client.hris.payments.list({ start_date: '2000-01-01', end_date: '2999-12-31' })).items;
    const latest = all[0]!.pay_date!;
    const one = (await client.hris.payments.list({ start_date: latest, end_date: latest })).items;
    expect(one.map((p) => p.id)).toEqual([all[0]!.id]);
    const missing = await rawCall('/employer/payment?start_date=2020-01-01', {
      headers: { authorization: `Bearer ${sandbox.access_token}`, 'finch-api-version': '2020-09-17' },
    });
    expect(missing.status).toBe(400);
    expect(String(missing.json.message)).toContain('end_date');
  });
});

describe('engine-made errors speak Finch', () => {
  test('an injected 503 fault and an unknown route carry Finch error bodies', async () => {
    const fault = await fetch(`${env.mock.url}/__admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        method: 'GET',
        path: '/employer/company',
        status: 503,
        retry_after: 5,
        times: 1,
      }),
    });
    expect(fault.status).toBeLessThan(300);
    const sandbox = await env.mock.app.sandbox.connections.create({ provider_id: 'gusto' });
    const error = await env.mock
      .forToken(sandbox.access_token)
      .hris.company.retrieve()
      .catch((e) => e);
    expect(error).toBeInstanceOf(Finch.InternalServerError);
    expect((error as InstanceType<typeof Finch.APIError>).error).toMatchObject({
      code: 503,
      finch_code: 'upstream_provider_error',
    });
    expect((error as InstanceType<typeof Finch.APIError>).headers?.get('retry-after')).toBe('5');

    const unknown = await rawCall('/employer/nothing-here', {
      headers: { 'finch-api-version': '2020-09-17' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ code: 404, name: 'not_found_error' });
  });
});

describe('batch reads answer per requested id', () => {
  test('a known id is 200 with its record, an unknown one 404 with a finch_code, in request order', async () => {
    // A well-formed id that names nothing (the response schemas want UUIDs).
    const missing = '00000000-0000-4000-8000-000000000001';
    const { access_token } = await env.mock.app.sandbox.connections.create({
      provider_id: 'gusto',
      products: ALL_PRODUCTS,
      employee_size: 2,
    });
    const headers = {
      authorization: `Bearer ${access_token}`,
      'finch-api-version': '2020-09-17',
      'content-type': 'application/json',
    };
    const post = (path: string, key: string, ids: string[]) =>
      rawCall(path, {
        method: 'POST',
        headers,
        body: JSON.stringify({ requests: ids.map((id) => ({ [key]: id })) }),
      });
    const directory = await rawCall('/employer/directory', { headers });
    const [known] = (directory.json.individuals as { id: string }[]).map((i) => i.id);

    for (const path of ['/employer/individual', '/employer/employment']) {
      const { status, json } = await post(path, 'individual_id', [known!, missing]);
      expect(status).toBe(200);
      const [foundEntry, missingEntry] = json.responses as Record<string, unknown>[];
      expect(foundEntry).toMatchObject({ individual_id: known, code: 200, body: expect.any(Object) });
      expect(missingEntry).toMatchObject({
        individual_id: missing,
        code: 404,
        body: { finch_code: 'individual_not_found', message: `No individual with id ${missing} found` },
      });
    }
    for (const [path, key, noun] of [
      ['/employer/plans-enrollments', 'enrollment_id', 'enrollment'],
      ['/employer/plans-dependents', 'dependent_id', 'dependent'],
    ] as const) {
      const { status, json } = await post(path, key, [missing]);
      expect(status).toBe(200);
      expect(json.responses).toEqual([
        expect.objectContaining({
          [key]: missing,
          code: 404,
          body: expect.objectContaining({
            finch_code: `${noun}_not_found`,
            message: `No ${noun} with id ${missing} found`,
          }),
        }),
      ]);
    }
    const benefits = await env.mock.payloads.fetch(`${env.mock.url}/employer/benefits`, { headers });
    const [benefit] = (await benefits.json()) as { benefit_id: string }[];
    const enrolled = await env.mock.payloads.fetch(
      `${env.mock.url}/employer/benefits/${benefit!.benefit_id}/individuals?individual_ids=${missing}`,
      { headers },
    );
    expect(await enrolled.json()).toEqual([
      expect.objectContaining({
        individual_id: missing,
        code: 404,
        body: expect.objectContaining({
          finch_code: 'individual_not_found',
          message: `Individual ${missing} is not enrolled`,
        }),
      }),
    ]);
  });
});
