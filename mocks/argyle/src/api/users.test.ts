import { createHmac } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { type ArgyleHarness, connectThroughLink, createUser, startHarness } from '../argyle.test-helpers.js';
import { DEFAULT_ARGYLE_CREDENTIALS, MOCK_CLIENT_ID } from '../index.js';

const harness: ArgyleHarness = await startHarness();
afterAll(() => harness.close());
beforeEach(() => harness.reset());

function decodeJwt(token: string) {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>,
    signingInput: `${header}.${payload}`,
    signature,
  };
}

describe('users', () => {
  test('POST /v2/users answers 201 {user_token, id}; GET returns the user object', async () => {
    const created = await harness.api<{ user_token: string; id: string }>('POST', '/v2/users', {
      external_id: 'host-user-42',
      external_metadata: { plan: 'gold' },
      email: 'bob@example.com',
    });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body)).toEqual(['user_token', 'id']);
    const user = await harness.api('GET', `/v2/users/${created.body.id}`);
    expect(user.body).toEqual({
      id: created.body.id,
      created_at: expect.any(String),
      items_connected: [],
      employers_connected: [],
      external_metadata: { plan: 'gold' },
      external_id: 'host-user-42',
    });
    await connectThroughLink(harness, created.body.user_token);
    const connected = await harness.api<{ items_connected: string[]; employers_connected: string[] }>(
      'GET',
      `/v2/users/${created.body.id}`,
    );
    expect(connected.body.items_connected).toEqual(['item_000029932']);
    expect(connected.body.employers_connected).toEqual(['Walmart']);
  });

  test('invalid fields are all reported at once (400) and no user is created', async () => {
    const result = await harness.api('POST', '/v2/users', {
      email: 'not-an-email',
      phone_number: 'call me',
      external_id: 'x'.repeat(101),
      external_metadata: 'text',
    });
    expect(result.status).toBe(400);
    expect(result.body).toEqual({
      email: ['Enter a valid email address.'],
      phone_number: ['Enter a valid phone number.'],
      external_id: ['Ensure this field has no more than 100 characters.'],
      external_metadata: ['Expected a dictionary of items.'],
    });
    expect((await harness.api<{ results: unknown[] }>('GET', '/v2/users')).body.results).toEqual([]);
  });

  test('GET /v2/users filters by external_id', async () => {
    await harness.api('POST', '/v2/users', { external_id: 'a' });
    const b = await harness.api<{ id: string }>('POST', '/v2/users', { external_id: 'b' });
    const list = await harness.api<{ results: { id: string }[] }>('GET', '/v2/users?external_id=b');
    expect(list.body.results.map((user) => user.id)).toEqual([b.body.id]);
  });

  test('DELETE /v2/users/{id} answers 204, removes every account with one accounts.removed each', async () => {
    const user = await createUser(harness);
    await connectThroughLink(harness, user.userToken, { username: 'test_1' });
    await connectThroughLink(harness, user.userToken, { username: 'test_2' });
    const accounts = await harness.api<{ results: { id: string }[] }>('GET', `/v2/accounts?user=${user.id}`);
    expect(accounts.body.results).toHaveLength(2);
    await harness.takeWebhooks();
    expect((await harness.api('DELETE', `/v2/users/${user.id}`)).status).toBe(204);
    const removed = await harness.takeWebhooks('/default');
    expect(removed.map((webhook) => webhook.json)).toEqual(
      accounts.body.results.map((account) => ({
        event: 'accounts.removed',
        name: 'reconnect-mock',
        data: { account: account.id, user: user.id },
      })),
    );
    expect((await harness.api('GET', `/v2/users/${user.id}`)).status).toBe(404);
    expect((await harness.api('GET', `/v2/accounts/${accounts.body.results[0]!.id}`)).status).toBe(404);
    expect((await harness.api('DELETE', `/v2/users/${user.id}`)).status).toBe(404);
  });
});

describe('user tokens', () => {
  test('POST /v2/user-tokens returns an HS256 JWT with the documented claims, exp = iat + 3600 (mock clock)', async () => {
    await harness.admin('POST', '/clock', { set: '2026-03-01T12:00:00.000Z' });
    const user = await createUser(harness);
    const result = await harness.api<{ user_token: string }>('POST', '/v2/user-tokens', { user: user.id });
    expect(result.status).toBe(200);
    expect(Object.keys(result.body)).toEqual(['user_token']);
    const jwt = decodeJwt(result.body.user_token);
    expect(jwt.header).toEqual({ alg: 'HS256', typ: 'JWT' });
    const iat = Date.parse('2026-03-01T12:00:00.000Z') / 1000;
    expect(jwt.claims).toEqual({
      client_id: MOCK_CLIENT_ID,
      exp: iat + 3600,
      fid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iat,
      iss: 'argyle-core-auth-prod',
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      sub: user.id,
      user_id: user.id,
    });
    const expected = createHmac('sha256', DEFAULT_ARGYLE_CREDENTIALS.api_key_secret)
      .update(jwt.signingInput)
      .digest('base64url');
    expect(jwt.signature).toBe(expected);
  });

  test('a missing or unknown user is a 400 naming the field', async () => {
    expect((await harness.api('POST', '/v2/user-tokens', {})).body).toEqual({
      user: ['This field is required.'],
    });
    const unknown = await harness.api('POST', '/v2/user-tokens', { user: 'ghost' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ user: ['Invalid pk "ghost" - object does not exist.'] });
  });
});
