import Finch from '@tryfinch/finch-api';
import { afterEach, describe, expect, test } from 'vitest';
import {
  completeConnect,
  hiddenFields,
  postConnectForm,
  redirectParams,
  useMockWithReceiver,
} from './finch.test-helpers.js';

const CALLBACK = 'https://host.example/finch/callback';

const env = useMockWithReceiver();
afterEach(() => expect(env.mock.payloads.takeViolations()).toEqual([]));

async function directoryIds(client: Finch): Promise<string[]> {
  const ids: string[] = [];
  for await (const individual of client.hris.directory.list({ limit: 7 })) ids.push(individual.id);
  return ids;
}

describe('the official SDK against the mock, only baseURL changed', () => {
  test('sandbox connection → reauth → 401 reauthenticate_user → reauth session → Connect → new token, same ids', async () => {
    const sandbox = await env.mock.app.sandbox.connections.create({
      provider_id: 'gusto',
      employee_size: 20,
    });
    expect(sandbox).toMatchObject({ provider_id: 'gusto', token_type: 'bearer' });
    const client = env.mock.forToken(sandbox.access_token);

    const idsBefore = await directoryIds(client);
    expect(idsBefore).toHaveLength(20);
    expect(new Set(idsBefore).size).toBe(20);

    await client.sandbox.connections.accounts.update({ connection_status: 'reauth' });
    const failure = await client.hris.company.retrieve().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Finch.AuthenticationError);
    const apiError = failure as InstanceType<typeof Finch.AuthenticationError>;
    expect(apiError.status).toBe(401);
    expect(apiError.error).toEqual({
      code: 401,
      name: 'authentication_error',
      finch_code: 'reauthenticate_user',
      message: 'Please reauthenticate user',
    });
    expect(apiError.headers.get('finch-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await client.account.introspect()).connection_status.status).toBe('reauth');

    const session = await env.mock.app.connect.sessions.reauthenticate({
      connection_id: sandbox.connection_id,
      redirect_uri: CALLBACK,
    });
    expect(session.connect_url).toBe(`${env.mock.url}/authorize?session=${session.session_id}`);

    const redirect = redirectParams(
      await completeConnect(env.mock.url, `${session.connect_url}&state=st-123`),
    );
    expect(`${redirect.origin}${redirect.pathname}`).toBe(CALLBACK);
    expect(redirect.searchParams.get('state')).toBe('st-123');
    const code = redirect.searchParams.get('code')!;

    const token = await env.mock.app.accessTokens.create({ code, redirect_uri: CALLBACK });
    expect(token.connection_id).toBe(sandbox.connection_id);
    expect(token.company_id).toBe(sandbox.company_id);
    expect(token.access_token).not.toBe(sandbox.access_token);

    const repaired = env.mock.forToken(token.access_token);
    expect(await directoryIds(repaired)).toEqual(idsBefore);
    expect((await repaired.account.introspect()).connection_status.status).toBe('connected');
    // Documented choice: the pre-reauth token keeps working (Finch lets several tokens per connection coexist).
    expect((await client.hris.company.retrieve()).id).toBe(sandbox.company_id);
  });

  test('every data endpoint answers for a connected token, with consistent ids', async () => {
    const sandbox = await env.mock.app.sandbox.connections.create({ provider_id: 'gusto' });
    const client = env.mock.forToken(sandbox.access_token);
    const company = await client.hris.company.retrieve();
    expect(company.id).toBe(sandbox.company_id);
    const ids = await directoryIds(client);
    const requests = ids.slice(0, 3).map((individual_id) => ({ individual_id }));

    const individuals = [];
    for await (const r of client.hris.individuals.retrieveMany({ requests })) individuals.push(r);
    expect(individuals.map((r) => [r.individual_id, r.code])).toEqual(ids.slice(0, 3).map((id) => [id, 200]));

    const employments = [];
    const unknown = { individual_id: '00000000-0000-4000-8000-000000000000' };
    for await (const r of client.hris.employments.retrieveMany({ requests: [...requests, unknown] })) {
      employments.push(r);
    }
    expect(employments.map((r) => r.code)).toEqual([200, 200, 200, 404]);

    const today = new Date().toISOString().slice(0, 10);
    const payments = [];
    for await (const p of client.hris.payments.list({ start_date: '2000-01-01', end_date: today }))
      payments.push(p);
    expect(payments).toHaveLength(6);
    expect(payments[0]!.pay_date).toBe(today);

    const statements = [];
    for await (const r of client.hris.payStatements.retrieveMany({
      requests: [{ payment_id: payments[0]!.id }],
    })) {
      statements.push(r);
    }
    expect(statements[0]!.code).toBe(200);
    const body = statements[0]!.body as { pay_statements: { individual_id: string }[] };
    expect(body.pay_statements.length).toBeGreaterThan(0);
    expect(body.pay_statements.every((s) => ids.includes(s.individual_id))).toBe(true);
  });

  test('the SDK unwraps the webhooks the mock signs', async () => {
    const sandbox = await env.mock.app.sandbox.connections.create({ provider_id: 'gusto' });
    const client = env.mock.forToken(sandbox.access_token);
    env.receiver.received.length = 0;
    await client.sandbox.connections.accounts.update({ connection_status: 'reauth' });
    await client.sandbox.jobs.create({ type: 'data_sync_all' });
    await env.mock.admin('/webhooks/flush');

    expect(env.receiver.received).toHaveLength(2);
    const events = env.receiver.received.map((w) =>
      env.mock.app.webhooks.unwrap(w.body, w.headers as Record<string, string>),
    );
    expect(events.map((e) => e.event_type)).toEqual(['account.updated', 'job.data_sync_all.completed']);
    expect(events[0]).toMatchObject({
      connection_id: sandbox.connection_id,
      company_id: sandbox.company_id,
      account_id: sandbox.account_id,
      data: { status: 'reauth' },
    });
    for (const webhook of env.receiver.received) {
      expect(webhook.headers['finch-event-id']).toMatch(/^msg_[0-9A-Za-z]{27}$/);
      expect(webhook.body).toBe(JSON.stringify(JSON.parse(webhook.body)));
    }
    // A tampered body is rejected by the SDK: the signature covers the exact bytes.
    const tampered = env.receiver.received[0]!.body.replace('reauth', 'connected');
    expect(() =>
      env.mock.app.webhooks.unwrap(tampered, env.receiver.received[0]!.headers as Record<string, string>),
    ).toThrow(/signature/);
  });

  test('the Connect page MFA step (good_user / mfa, code 123456)', async () => {
    const sandbox = await env.mock.app.sandbox.connections.create({ provider_id: 'gusto' });
    await env.mock
      .forToken(sandbox.access_token)
      .sandbox.connections.accounts.update({ connection_status: 'reauth' });
    const session = await env.mock.app.connect.sessions.reauthenticate({
      connection_id: sandbox.connection_id,
      redirect_uri: CALLBACK,
    });
    const mfaPage = await completeConnect(env.mock.url, session.connect_url, {
      username: 'good_user',
      password: 'mfa',
    });
    expect(mfaPage.status).toBe(200);
    const mfaHtml = await mfaPage.text();
    expect(mfaHtml).toContain('<label for="mfa_code">');
    const carried = hiddenFields(mfaHtml);

    const wrong = await postConnectForm(env.mock.url, { ...carried, mfa_code: '000000' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('role="alert"');

    const code = redirectParams(
      await postConnectForm(env.mock.url, { ...carried, mfa_code: '123456' }),
    ).searchParams.get('code')!;
    const token = await env.mock.app.accessTokens.create({ code, redirect_uri: CALLBACK });
    expect(token.connection_id).toBe(sandbox.connection_id);
  });
});
