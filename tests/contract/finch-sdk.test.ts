/**
 * The official Finch SDK alone against the Finch mock (only `baseURL` changed): the whole sandbox → reauth → Connect →
 * token exchange loop, and the SDK's own webhook verification accepting what the mock signs (and agreeing with ours).
 */

import { ManualClock } from '@reconnect-kit/core';
import { FinchProvider, parseFinchConfig } from '@reconnect-kit/finch';
import { FINCH_DEFAULT_CREDENTIALS, startFinchMock } from '@reconnect-kit/mock-finch';
import Finch from '@tryfinch/finch-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { employerLogsIn, mockAdmin, startWebhookReceiver } from './finch.test-helpers.js';

const CALLBACK = 'https://host.example/finch/callback';

let mock: Awaited<ReturnType<typeof startFinchMock>>;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let app: Finch;
const forToken = (accessToken: string) => new Finch({ accessToken, baseURL: mock.url, maxRetries: 0 });

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  mock = await startFinchMock({ port: 0, env: {}, webhookUrl: receiver.url });
  app = new Finch({
    clientID: FINCH_DEFAULT_CREDENTIALS.client_id,
    clientSecret: FINCH_DEFAULT_CREDENTIALS.client_secret,
    webhookSecret: FINCH_DEFAULT_CREDENTIALS.webhook_secret,
    baseURL: mock.url,
    maxRetries: 0,
  });
});

afterAll(async () => {
  await mock?.close();
  await receiver?.close();
});

async function individualIds(client: Finch): Promise<string[]> {
  const ids: string[] = [];
  for await (const individual of client.hris.directory.list()) ids.push(individual.id);
  return ids;
}

describe('the official Finch SDK against the mock', () => {
  it('sandbox connection → reauth → 401 reauthenticate_user → reauth session → Connect → /auth/token → same ids', async () => {
    const sandbox = await app.sandbox.connections.create({ provider_id: 'gusto', employee_size: 12 });
    const before = forToken(sandbox.access_token);
    const ids = await individualIds(before);
    expect(ids).toHaveLength(12);

    await before.sandbox.connections.accounts.update({ connection_status: 'reauth' });
    const failure = await before.hris.directory.list().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Finch.AuthenticationError);
    expect(failure).toMatchObject({
      status: 401,
      error: { name: 'authentication_error', finch_code: 'reauthenticate_user' },
    });

    const introspection = await before.account.introspect();
    expect(introspection).toMatchObject({ connection_id: sandbox.connection_id, provider_id: 'gusto' });
    expect(introspection.connection_status.status).toBe('reauth');

    const session = await app.connect.sessions.reauthenticate({
      connection_id: introspection.connection_id,
      redirect_uri: CALLBACK,
      minutes_to_expire: 30,
    });
    const redirect = await employerLogsIn(`${session.connect_url}&state=opaque-state`);
    expect(`${redirect.origin}${redirect.pathname}`).toBe(CALLBACK);
    expect(redirect.searchParams.get('state')).toBe('opaque-state');

    const token = await app.accessTokens.create({
      code: redirect.searchParams.get('code')!,
      redirect_uri: CALLBACK,
    });
    expect(token).toMatchObject({ connection_id: sandbox.connection_id, company_id: sandbox.company_id });
    expect(token.access_token).not.toBe(sandbox.access_token);

    const after = forToken(token.access_token);
    expect(await individualIds(after)).toEqual(ids);
    expect((await after.account.introspect()).connection_status.status).toBe('connected');
  });

  it('webhooks.unwrap accepts the mock’s signed webhooks, and our verifier agrees byte for byte', async () => {
    const sandbox = await app.sandbox.connections.create({ provider_id: 'gusto' });
    receiver.deliveries.splice(0);
    await forToken(sandbox.access_token).sandbox.connections.accounts.update({ connection_status: 'reauth' });
    await mockAdmin(mock.url, 'POST', '/webhooks/flush');
    const [delivery, ...others] = receiver.deliveries.splice(0);
    expect(others).toEqual([]);
    if (delivery === undefined) throw new Error('no webhook delivered');

    const body = new TextDecoder().decode(delivery.rawBody);
    const headers = Object.fromEntries(delivery.headers);
    const event = app.webhooks.unwrap(body, headers);
    expect(event).toMatchObject({
      event_type: 'account.updated',
      connection_id: sandbox.connection_id,
      data: { status: 'reauth' },
    });
    expect(() => app.webhooks.unwrap(body.replace('reauth', 'connected'), headers)).toThrow(/signature/);

    const ours = new FinchProvider(
      parseFinchConfig({
        clientId: FINCH_DEFAULT_CREDENTIALS.client_id,
        clientSecret: FINCH_DEFAULT_CREDENTIALS.client_secret,
        webhookSecret: FINCH_DEFAULT_CREDENTIALS.webhook_secret,
        redirectUri: CALLBACK,
        baseUrl: mock.url,
      }),
      fetch,
      new ManualClock(),
    );
    const verified = ours.verifyWebhook(delivery.rawBody, delivery.headers, new Date());
    expect(verified.body).toEqual(event);
    expect(ours.parseWebhook(verified)[0]).toMatchObject({
      eventId: delivery.headers.get('finch-event-id'),
      upstreamId: sandbox.connection_id,
      signal: { state: 'needs_reauth' },
    });
  });
});
