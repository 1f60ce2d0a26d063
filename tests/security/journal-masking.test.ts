import { DEFAULT_ARGYLE_CREDENTIALS, startArgyleMock } from '@reconnect-kit/mock-argyle';
import type { RunningMockServer } from '@reconnect-kit/mock-engine';
import { FINCH_API_VERSION, FINCH_DEFAULT_CREDENTIALS, startFinchMock } from '@reconnect-kit/mock-finch';
import { PLAID_DEFAULT_CREDENTIALS, startPlaidMock } from '@reconnect-kit/mock-plaid';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * `GET /__admin/requests` is open to anyone who reaches the mock: every credential a client sent (API keys, access
 * tokens, a provider's own headers passed through Finch's `/forward`, Link passwords) is masked there, over HTTP.
 */

const json = { 'content-type': 'application/json' };
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

let mock: RunningMockServer<unknown> | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function journal(): Promise<string> {
  const response = await fetch(`${mock!.url}/__admin/requests`);
  expect(response.status).toBe(200);
  return response.text();
}

describe('the mocks’ request journal masks credentials', () => {
  it('Finch: Basic and Bearer auth, client_secret, and the provider headers a /forward call carries', async () => {
    mock = (await startFinchMock({ port: 0, env: {} })) as RunningMockServer<unknown>;
    const { client_id, client_secret } = FINCH_DEFAULT_CREDENTIALS;
    const created = await fetch(`${mock.url}/sandbox/connections`, {
      method: 'POST',
      headers: {
        ...json,
        authorization: basic(client_id, client_secret),
        'finch-api-version': FINCH_API_VERSION,
      },
      body: JSON.stringify({ provider_id: 'gusto' }),
    });
    expect(created.status).toBe(200);
    const { access_token } = (await created.json()) as { access_token: string };
    const forwarded = await fetch(`${mock.url}/forward`, {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${access_token}`, 'finch-api-version': FINCH_API_VERSION },
      body: JSON.stringify({
        method: 'GET',
        route: '/employees',
        headers: { Authorization: 'Bearer provider-token-123', Cookie: 'sid=provider-cookie-456' },
      }),
    });
    expect(forwarded.status).toBe(200);
    await fetch(`${mock.url}/auth/token`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ client_id, client_secret, code: 'x', redirect_uri: 'https://app.example/cb' }),
    });
    const text = await journal();
    expect(text).toContain('/forward');
    for (const secret of [access_token, client_secret, 'provider-token-123', 'provider-cookie-456']) {
      expect(text).not.toContain(secret);
    }
  });

  it('Plaid: secret (header and body), access_token, and the hosted Link password', async () => {
    mock = (await startPlaidMock({ port: 0, env: {} })) as RunningMockServer<unknown>;
    const { client_id, secret } = PLAID_DEFAULT_CREDENTIALS;
    const plaid = async (path: string, body: Record<string, unknown>) =>
      (await (
        await fetch(`${mock!.url}${path}`, {
          method: 'POST',
          headers: { ...json, 'plaid-client-id': client_id, 'plaid-secret': secret },
          body: JSON.stringify(body),
        })
      ).json()) as Record<string, string>;
    const { public_token } = await plaid('/sandbox/public_token/create', {
      client_id,
      secret,
      institution_id: 'ins_109508',
      initial_products: ['transactions'],
    });
    const { access_token } = await plaid('/item/public_token/exchange', { public_token });
    const link = await plaid('/link/token/create', {
      client_id,
      secret,
      access_token,
      client_name: 'Paycheck Pal',
      language: 'en',
      country_codes: ['US'],
      user: { client_user_id: 'alice' },
      hosted_link: {},
    });
    await fetch(link.hosted_link_url!, {
      method: 'POST',
      body: new URLSearchParams({ username: 'user_good', password: 'pass_good' }),
    });
    const text = await journal();
    expect(text).toContain('/hosted-link/');
    for (const value of [secret, access_token!, public_token!, 'pass_good'])
      expect(text).not.toContain(value);
  });

  it('Argyle: the API key and a webhook subscription’s secret', async () => {
    mock = (await startArgyleMock({ port: 0, env: {} })) as RunningMockServer<unknown>;
    const { api_key_id, api_key_secret } = DEFAULT_ARGYLE_CREDENTIALS;
    const subscribed = await fetch(`${mock.url}/v2/webhooks`, {
      method: 'POST',
      headers: { ...json, authorization: basic(api_key_id, api_key_secret) },
      body: JSON.stringify({
        events: ['accounts.connected'],
        name: 'host',
        url: 'https://app.example/webhooks/argyle',
        secret: 'whsec-argyle-789',
      }),
    });
    expect(subscribed.ok).toBe(true);
    const text = await journal();
    expect(text).toContain('/v2/webhooks');
    for (const value of [api_key_secret, 'whsec-argyle-789', basic(api_key_id, api_key_secret)]) {
      expect(text).not.toContain(value);
    }
  });
});
