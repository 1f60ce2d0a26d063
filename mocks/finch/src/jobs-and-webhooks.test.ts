/**
 * Jobs on the mock clock (outcomes from `PUT /sandbox/jobs/configuration`, refresh quotas, `job.*` webhooks),
 * data-change webhooks after sandbox edits, per-entity statuses, and webhook signatures that the official SDK
 * verifies however far the mock clock moved.
 */
import { afterEach, describe, expect, test } from 'vitest';
import {
  completeConnect,
  redirectParams,
  sdkFailure,
  type TestMock,
  useMockWithReceiver,
} from './finch.test-helpers.js';

const env = useMockWithReceiver();
afterEach(async () => {
  await env.mock.admin('/webhooks/flush');
  env.receiver.received.length = 0;
  expect(env.mock.payloads.takeViolations()).toEqual([]);
});

interface Delivered {
  event_type: string;
  entity_id: string | null;
  connection_id: string;
  data: Record<string, unknown> | null;
}

async function delivered(): Promise<Delivered[]> {
  await env.mock.admin('/webhooks/flush');
  return env.receiver.received.map((w) => JSON.parse(w.body) as Delivered);
}

async function seed(input: Record<string, unknown> = {}) {
  const { json } = await env.mock.admin('/scenarios/finch.seed_connected', { employee_size: 5, ...input });
  const changed = json.changed as { connection_id: string; access_token: string; entity_id: string };
  return { ...changed, client: env.mock.forToken(changed.access_token) };
}

describe('automated jobs', () => {
  test('run on the mock clock, one at a time, within one forced refresh per clock hour', async () => {
    const { client } = await seed();
    await env.mock.admin('/clock', { set: '2031-05-01T10:00:00.000Z' });
    const started = await client.jobs.automated.create({ type: 'data_sync_all' });
    expect(started).toMatchObject({ allowed_refreshes: 1, remaining_refreshes: 0 });
    // A second request while it runs gets the running job back (202), using no refresh.
    const again = await client.jobs.automated.create({ type: 'data_sync_all' });
    expect(again.job_id).toBe(started.job_id);
    expect((await client.jobs.automated.retrieve(started.job_id!)).status).toBe('pending');
    await env.mock.admin('/clock', { advance_ms: 61_000 });
    const done = await client.jobs.automated.retrieve(started.job_id!);
    expect(done).toMatchObject({ status: 'complete', type: 'data_sync_all' });
    expect(Date.parse(done.completed_at!)).toBe(Date.parse('2031-05-01T10:01:00.000Z'));
    const refused = await sdkFailure(client.jobs.automated.create({ type: 'data_sync_all' }));
    expect(refused.status).toBe(429);
    expect(refused.error).toMatchObject({ remaining_refreshes: 0, retry_at: '2031-05-01T11:00:00.000Z' });
    await env.mock.admin('/clock', { set: '2031-05-01T11:00:00.000Z' });
    expect((await client.jobs.automated.create({ type: 'data_sync_all' })).remaining_refreshes).toBe(0);
    const list = await client.jobs.automated.list();
    expect(list.meta.quotas?.data_sync_all).toEqual({ allowed_refreshes: 1, remaining_refreshes: 0 });
    expect((await delivered()).map((w) => w.event_type)).toEqual(['job.data_sync_all.completed']);
    await env.mock.admin('/clock', { set: new Date().toISOString() });
  });

  test('a reauth_error job puts the connection into reauth, as Finch does', async () => {
    const { client, connection_id } = await seed();
    await client.sandbox.jobs.configuration.update({
      type: 'data_sync_all',
      completion_status: 'reauth_error',
    });
    const job = await client.jobs.automated.create({ type: 'data_sync_all' });
    expect((await client.account.introspect()).connection_status.status).toBe('connected');
    await env.mock.admin('/clock', { advance_ms: 60_000 });
    // The clock change alone finishes the job and sends its webhooks.
    const events = await delivered();
    expect((await client.jobs.automated.retrieve(job.job_id!)).status).toBe('reauth_error');
    expect((await client.account.introspect()).connection_status.status).toBe('reauth');
    expect((await sdkFailure(client.hris.company.retrieve())).error.finch_code).toBe('reauthenticate_user');
    expect(events.map((w) => [w.event_type, w.connection_id])).toEqual([
      ['account.updated', connection_id],
      ['job.data_sync_all.completed', connection_id],
    ]);
    expect(events[1]!.data!.job_url).toBe(`${env.mock.url}/jobs/automated/${job.job_id}`);
  });

  test('after a reauth_error job and a re-auth session, benefit, individual and payment ids are unchanged', async () => {
    const products = ['company', 'directory', 'payment', 'benefits'];
    const sandbox = await env.mock.app.sandbox.connections.create({
      provider_id: 'gusto',
      products,
      employee_size: 6,
    });
    const snapshot = async (client: ReturnType<TestMock['forToken']>) => ({
      individuals: (await client.hris.directory.list()).individuals.map((i) => i.id),
      payments: (await client.hris.payments.list({ start_date: '2000-01-01', end_date: '2999-01-01' }))
        .getPaginatedItems()
        .map((p) => p.id),
      benefits: (await client.hris.benefits.list()).getPaginatedItems().map((b) => b.benefit_id),
    });
    const before = await snapshot(env.mock.forToken(sandbox.access_token));
    const client = env.mock.forToken(sandbox.access_token);
    await client.sandbox.jobs.configuration.update({
      type: 'data_sync_all',
      completion_status: 'reauth_error',
    });
    await client.sandbox.jobs.create({ type: 'data_sync_all' });
    expect((await sdkFailure(client.hris.benefits.list())).error.finch_code).toBe('reauthenticate_user');
    const session = await env.mock.app.connect.sessions.reauthenticate({
      connection_id: sandbox.connection_id,
      redirect_uri: 'https://h.example/cb',
    });
    const code = redirectParams(await completeConnect(env.mock.url, session.connect_url)).searchParams.get(
      'code',
    )!;
    const token = await env.mock.app.accessTokens.create({ code, redirect_uri: 'https://h.example/cb' });
    const after = await snapshot(env.mock.forToken(token.access_token));
    expect(after).toEqual(before);
    expect(before.benefits.length).toBeGreaterThan(0);
  });

  test('permissions_error and error end the job without touching data; assisted connections get a 400', async () => {
    const { client } = await seed();
    await client.sandbox.jobs.configuration.update({
      type: 'data_sync_all',
      completion_status: 'permissions_error',
    });
    const job = await client.sandbox.jobs.create({ type: 'data_sync_all' });
    expect((await client.jobs.automated.retrieve(job.job_id)).status).toBe('permissions_error');
    expect((await client.account.introspect()).connection_status.status).toBe('error_permissions');
    const assisted = await env.mock.app.sandbox.connections.create({
      provider_id: 'gusto',
      authentication_type: 'assisted',
    });
    const refused = await sdkFailure(
      env.mock.forToken(assisted.access_token).jobs.automated.create({ type: 'data_sync_all' }),
    );
    expect(refused.status).toBe(400);
    expect(refused.error).toMatchObject({ statusCode: 400, status: 400, code: 400, name: 'bad_request' });
  });
});

describe('response headers', () => {
  test('data answers carry Finch-Data-Retrieved and the last sync attempt', async () => {
    const { client } = await seed();
    await env.mock.admin('/clock', { set: '2031-06-01T08:00:00.000Z' });
    await client.sandbox.jobs.create({ type: 'data_sync_all' });
    await env.mock.admin('/clock', { set: '2031-06-01T09:00:00.000Z' });
    await client.sandbox.jobs.configuration.update({ type: 'data_sync_all', completion_status: 'error' });
    await client.sandbox.jobs.create({ type: 'data_sync_all' });
    const { response } = await client.hris.company.retrieve().withResponse();
    expect(response.headers.get('finch-data-retrieved')).toBe('2031-06-01T08:00:00.000Z');
    expect(response.headers.get('finch-last-attempted-update-date')).toBe('2031-06-01T09:00:00.000Z');
    expect(response.headers.get('finch-last-attempted-update-result')).toBe('error');
    expect(response.headers.get('finch-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await env.mock.admin('/clock', { set: new Date().toISOString() });
  });
});

describe('data-change webhooks', () => {
  test('sandbox edits reach the API and fire webhooks when the next data sync completes', async () => {
    const { client, connection_id, entity_id } = await seed();
    const [first] = (await client.hris.directory.list()).individuals;
    await client.sandbox.individual.update(first!.id, { first_name: 'Renamed' });
    await client.sandbox.employment.update(first!.id, { title: 'Principal' });
    const [hired] = await client.sandbox.directory.create({
      body: [{ first_name: 'New', last_name: 'Hire' }],
    });
    const payment = await client.sandbox.payment.create({ pay_statements: [{ individual_id: first!.id }] });
    expect((await client.hris.directory.list()).individuals[0]!.first_name).not.toBe('Renamed');
    expect(await delivered()).toEqual([]);

    await client.sandbox.jobs.create({ type: 'data_sync_all' });
    expect((await client.hris.directory.list()).individuals[0]!.first_name).toBe('Renamed');
    const hiredId = (hired as { id: string }).id;
    const events = await delivered();
    expect(events.map((w) => [w.event_type, w.data])).toEqual([
      ['directory.updated', { individual_id: first!.id }],
      ['directory.created', { individual_id: hiredId }],
      ['individual.updated', { individual_id: first!.id }],
      ['individual.created', { individual_id: hiredId }],
      ['employment.updated', { individual_id: first!.id }],
      ['employment.created', { individual_id: hiredId }],
      ['payment.created', { payment_id: payment.payment_id, pay_date: payment.pay_date }],
      ['pay_statement.created', { payment_id: payment.payment_id, individual_id: first!.id }],
      ['job.data_sync_all.completed', expect.objectContaining({})],
    ]);
    expect(events.every((w) => w.connection_id === connection_id && w.entity_id === entity_id)).toBe(true);
  });
});

describe('multi-entity connections', () => {
  test('one entity breaks alone: introspect entities[], entity_ids on data calls, entity_id on webhooks', async () => {
    const { client, connection_id } = await seed({ entities: 3 });
    const introspection = await client.account.introspect();
    expect(introspection.company_id).toBeNull();
    const [a, b, c] = introspection.entities!;
    expect(new Set([a!.id, b!.id, c!.id]).size).toBe(3);

    const { json } = await env.mock.admin('/scenarios/finch.entity_reauth', {
      target: connection_id,
      entity_id: b!.id,
    });
    expect(json.changed).toMatchObject({ entity_id: b!.id, status: { from: 'connected', to: 'reauth' } });
    const after = await client.account.introspect();
    expect(after.connection_status.status).toBe('connected');
    expect(after.entities!.map((e) => e.status)).toEqual(['connected', 'reauth', 'connected']);
    expect((await client.hris.company.retrieve({ entity_ids: [a!.id] })).id).not.toBe(
      (await client.hris.company.retrieve({ entity_ids: [c!.id] })).id,
    );
    const broken = await sdkFailure(client.hris.directory.list({ entity_ids: [b!.id] }));
    expect([broken.status, broken.error.finch_code]).toEqual([401, 'reauthenticate_user']);
    expect((await delivered()).map((w) => [w.event_type, w.entity_id, w.data?.status])).toEqual([
      ['account.updated', b!.id, 'reauth'],
    ]);

    await client.account.disconnectEntity({ entity_ids: [c!.id] });
    expect((await client.account.introspect()).entities!.map((e) => e.status)).toEqual([
      'connected',
      'reauth',
      'disconnected',
    ]);
    expect((await sdkFailure(client.hris.company.retrieve({ entity_ids: [c!.id] }))).status).toBe(400);
    const unknown = await sdkFailure(client.account.disconnectEntity({ entity_ids: [c!.id] }));
    expect(unknown.error).toEqual({ errors: [{ entityId: c!.id, error: 'NOT_FOUND' }] });
  });

  test('finch.entities_added grows a connection; a re-auth session repairs a broken entity with the same ids', async () => {
    const { client, connection_id } = await seed();
    await env.mock.admin('/scenarios/finch.entities_added', { target: connection_id, count: 2 });
    // A connection-wide break reports one account.updated per entity.
    const { json } = await env.mock.admin('/scenarios/finch.permissions_lost', { target: connection_id });
    expect(json.webhooks).toHaveLength(3);
    await client.sandbox.connections.accounts.update({ connection_status: 'connected' });
    await env.mock.admin('/scenarios/finch.entity_reauth', { target: connection_id });
    const entities = (await client.account.introspect()).entities!;
    expect(entities.map((e) => e.status)).toEqual(['connected', 'connected', 'reauth']);
    const session = await env.mock.app.connect.sessions.reauthenticate({
      connection_id,
      redirect_uri: 'https://h.example/cb',
    });
    const code = redirectParams(await completeConnect(env.mock.url, session.connect_url)).searchParams.get(
      'code',
    )!;
    const token = await env.mock.app.accessTokens.create({ code, redirect_uri: 'https://h.example/cb' });
    expect(token.connection_id).toBe(connection_id);
    expect(token.entity_ids).toEqual(entities.map((e) => e.id));
    const repaired = await env.mock.forToken(token.access_token).account.introspect();
    expect(repaired.entities!.map((e) => e.status)).toEqual(['connected', 'connected', 'connected']);
  });
});

describe('webhook signatures', () => {
  test('the official SDK verifies a fresh webhook after the mock clock moved 30 days', async () => {
    const { client } = await seed();
    await fetch(`${env.mock.url}/__admin/webhooks`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ timestamps: 'real_time' }),
    });
    await env.mock.admin('/clock', { advance_ms: 30 * 86_400_000 });
    await client.sandbox.connections.accounts.update({ connection_status: 'reauth' });
    await env.mock.admin('/webhooks/flush');
    const [webhook] = env.receiver.received;
    const body = env.mock.app.webhooks.unwrap(webhook!.body, webhook!.headers as Record<string, string>) as {
      event_type: string;
    };
    expect(body.event_type).toBe('account.updated');
    // With the default (signatures on the mock clock) the SDK refuses the same kind of delivery.
    await fetch(`${env.mock.url}/__admin/webhooks`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ timestamps: 'mock_clock' }),
    });
    env.receiver.received.length = 0;
    await client.sandbox.connections.accounts.update({ connection_status: 'connected' });
    await env.mock.admin('/webhooks/flush');
    const [late] = env.receiver.received;
    expect(() => env.mock.app.webhooks.unwrap(late!.body, late!.headers as Record<string, string>)).toThrow(
      /too new/,
    );
    await env.mock.admin('/clock', { set: new Date().toISOString() });
  });
});

describe('request validation from the spec', () => {
  test('bad bodies and queries answer Finch 400s naming the field; auth comes first', async () => {
    const { client, access_token } = await seed();
    const bad = await sdkFailure(client.hris.payStatements.retrieveMany({ requests: [{ payment_id: 'x' }] }));
    expect([bad.status, bad.error.name, bad.error.finch_code]).toEqual([
      400,
      'bad_request',
      'invalid_request',
    ]);
    expect(bad.error.message).toMatch(/^Invalid requests\.0\.payment_id/);
    // Operations whose spec gives the gateway's error body answer with it.
    const job = await sdkFailure(client.jobs.automated.create({ type: 'nope' } as never));
    expect(job.error).toMatchObject({ statusCode: 400, status: 400, code: 400, name: 'bad_request' });
    const entities = await sdkFailure(client.account.disconnectEntity({ entity_ids: [] }));
    expect(entities.error).toEqual({
      statusCode: 400,
      status: 400,
      code: 400,
      name: 'BadRequestError',
      message: 'entity_ids must be a non-empty array of UUIDs.',
    });
    const query = await sdkFailure(
      client.hris.payments.list({ start_date: 'yesterday', end_date: '2030-01-01' }),
    );
    expect(query.error.message).toMatch(/^Invalid start_date/);
    const missing = await sdkFailure(client.hris.payments.list({ end_date: '2030-01-01' } as never));
    expect(missing.error.message).toBe('Missing required query parameter start_date');
    const page = await sdkFailure(client.hris.directory.list({ limit: 10_001 }));
    expect([page.status, page.error.finch_code]).toEqual([422, 'page_size_limit_exceeded']);
    const batch = await sdkFailure(
      client.hris.individuals.retrieveMany({
        requests: Array.from({ length: 10_001 }, () => ({ individual_id: 'x' })),
      }),
    );
    expect([batch.status, batch.error.finch_code]).toEqual([422, 'batch_limit_exceeded']);
    const anonymous = await fetch(`${env.mock.url}/jobs/automated`, {
      method: 'POST',
      headers: { 'finch-api-version': '2020-09-17', authorization: 'Bearer not-a-token' },
      body: '{"type":"nope"}',
    });
    expect(anonymous.status).toBe(401);
    expect(access_token).not.toBe('not-a-token');
  });
});
