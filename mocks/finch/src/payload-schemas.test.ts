/**
 * Every JSON payload the mock sends is checked against fixtures/schemas/finch (the PayloadLog fetch validates
 * each response in every test file). This file walks every route and error kind once and proves the walk
 * reached every schema, then checks webhook bodies against the webhook-event schema.
 */
import { expect, test } from 'vitest';
import { completeConnect, redirectParams, useMockWithReceiver, validators } from './finch.test-helpers.js';

const CALLBACK = 'https://host.example/cb';
const env = useMockWithReceiver();

const swallow = (promise: Promise<unknown>) => promise.catch(() => undefined);

test('a tour of every route validates against the fixture schemas', async () => {
  const { app } = env.mock;
  const sandbox = await app.sandbox.connections.create({ provider_id: 'gusto', employee_size: 4 });
  const client = env.mock.forToken(sandbox.access_token);
  await app.sandbox.connections.accounts.create({ company_id: sandbox.company_id!, provider_id: 'gusto' });
  await client.hris.company.retrieve();
  const ids = (await client.hris.directory.list()).individuals.map((i) => i.id);
  const unknownId = '00000000-0000-4000-8000-000000000000';
  const requests = [...ids, unknownId].map((individual_id) => ({ individual_id }));
  await client.hris.individuals.retrieveMany({ requests });
  await client.hris.employments.retrieveMany({ requests });
  const payments = (await client.hris.payments.list({ start_date: '2000-01-01', end_date: '2999-01-01' }))
    .items;
  await client.hris.payStatements.retrieveMany({
    requests: [{ payment_id: payments[0]!.id, limit: 2 }, { payment_id: unknownId }],
  });
  await client.account.introspect();
  const job = await client.jobs.automated.create({ type: 'data_sync_all' });
  await client.jobs.automated.create({ type: 'data_sync_all' }); // 202: the running job
  await client.jobs.automated.retrieve(job.job_id!);
  await client.jobs.automated.list();
  await env.mock.admin('/clock', { advance_ms: 3_600_000 });
  await client.jobs.automated.create({ type: 'data_sync_all' });
  await swallow(client.jobs.automated.create({ type: 'data_sync_all' })); // 429: no refresh left
  await client.sandbox.jobs.configuration.update({ type: 'data_sync_all', completion_status: 'complete' });
  await client.sandbox.jobs.create({ type: 'data_sync_all' });
  const benefits = await env.mock.app.sandbox.connections.create({
    provider_id: 'gusto',
    products: ['benefits'],
  });
  const deductions = env.mock.forToken(benefits.access_token).hris.benefits;
  const [retirement] = (await deductions.list()).getPaginatedItems();
  const enrolled = await deductions.individuals.unenrollMany(retirement!.benefit_id, { individual_ids: [] });
  await env.mock.forToken(benefits.access_token).jobs.manual.retrieve(enrolled.job_id);

  await client.sandbox.connections.accounts.update({ connection_status: 'reauth' });
  await swallow(client.hris.company.retrieve());
  await client.account.introspect();
  const session = await app.connect.sessions.reauthenticate({
    connection_id: sandbox.connection_id,
    redirect_uri: CALLBACK,
  });
  const code = redirectParams(await completeConnect(env.mock.url, session.connect_url)).searchParams.get(
    'code',
  )!;
  await swallow(app.accessTokens.create({ code, redirect_uri: 'https://other.example/cb' }));
  await app.accessTokens.create({ code, redirect_uri: CALLBACK });
  await swallow(app.accessTokens.create({ code, redirect_uri: CALLBACK }));
  await app.connect.sessions.new({ customer_id: 'tour', customer_name: 'Tour Inc', products: ['company'] });
  await swallow(app.connect.sessions.reauthenticate({ connection_id: unknownId }));

  for (const status of ['error_permissions', 'error_no_account_setup', 'pending', 'processing'] as const) {
    await client.sandbox.connections.accounts.update({ connection_status: status });
    await swallow(client.hris.company.retrieve());
    await client.account.introspect();
  }
  await client.sandbox.connections.accounts.update({ connection_status: 'connected' });
  await env.mock.admin('/scenarios/finch.rate_limited', { target: sandbox.connection_id, calls: 1 });
  await swallow(client.hris.company.retrieve());
  for (const status of [500, 502, 503]) {
    await env.mock.admin('/scenarios/finch.provider_outage', {
      target: sandbox.connection_id,
      status,
      duration_seconds: 1,
    });
    await swallow(client.hris.company.retrieve());
    await env.mock.admin('/clock', { advance_ms: 1000 });
  }
  await swallow(client.hris.directory.list({ limit: 20_000 }));
  await client.account.disconnect();
  await swallow(client.account.introspect());

  expect(env.mock.payloads.takeViolations()).toEqual([]);
  const schemasReached = new Set(env.mock.payloads.checked.flatMap((c) => (c.schema ? [c.schema] : [])));
  expect([...schemasReached].sort()).toEqual(
    Object.keys(validators)
      .filter((name) => name !== 'webhookEvent')
      .sort(),
  );
  const errorStatuses = new Set(
    env.mock.payloads.checked.filter((c) => c.schema === 'error').map((c) => c.status),
  );
  expect([...errorStatuses].sort()).toEqual([202, 400, 401, 403, 422, 429, 500, 502, 503]);
});

test('every webhook body the mock sends matches the webhook-event schema', async () => {
  const sandbox = await env.mock.app.sandbox.connections.create({ provider_id: 'gusto' });
  const client = env.mock.forToken(sandbox.access_token);
  env.receiver.received.length = 0;
  await client.sandbox.connections.accounts.update({ connection_status: 'reauth' });
  await client.sandbox.jobs.create({ type: 'data_sync_all' });
  await client.account.disconnect();
  await env.mock.admin('/webhooks/flush');
  const bodies = env.receiver.received.map((w) => JSON.parse(w.body) as { event_type: string });
  expect(bodies.map((b) => b.event_type)).toEqual([
    'account.updated',
    'job.data_sync_all.completed',
    'account.updated',
  ]);
  for (const body of bodies) expect(validators.webhookEvent.safeParse(body).error).toBeUndefined();
});
