import { assertScenarioCatalogue } from '@reconnect-kit/mock-engine';
import { CountryCode, Products } from 'plaid';
import { beforeEach, expect, test } from 'vitest';
import { plaidMock } from './definition.js';
import {
  completeHostedLink,
  conforms,
  plaidClient,
  plaidFailure,
  schemas,
  useMockWithReceiver,
  verifyPlaidWebhook,
  WebhookRejected,
} from './plaid.test-helpers.js';

const env = useMockWithReceiver();
beforeEach(async () => {
  await env.mock.admin('/webhooks', { bad_signature: false, stale_timestamp: false }, 'PUT');
  env.receiver.received.splice(0);
});

interface Seeded {
  item_id: string;
  access_token: string;
  account_ids: string[];
}

async function seed(): Promise<Seeded> {
  const { status, json } = await env.mock.admin('/scenarios/plaid.seed_connected');
  expect(status).toBe(200);
  return json.changed as unknown as Seeded;
}

async function run(id: string, input: Record<string, unknown>) {
  const { status, json } = await env.mock.admin(`/scenarios/${id}`, input);
  expect(status, JSON.stringify(json)).toBe(200);
  return json as { changed: Record<string, unknown>; webhooks: { id: string; eventType: string }[] };
}

async function delivered() {
  await env.mock.flush();
  return Promise.all(
    env.receiver.received.splice(0).map((webhook) => verifyPlaidWebhook(env.mock.client, webhook)),
  );
}

test('every scenario is in fixtures/scenarios/plaid.json and vice versa', () => {
  expect(() => assertScenarioCatalogue(plaidMock)).not.toThrow();
});

test('item_login_required: ERROR webhook, /item/get shows it, data calls answer 400 ITEM_LOGIN_REQUIRED; login_repaired undoes it', async () => {
  const { item_id, access_token } = await seed();
  const broken = await run('plaid.item_login_required', { target: item_id });
  expect(broken.webhooks.map((webhook) => webhook.eventType)).toEqual(['ITEM:ERROR']);
  expect(await delivered()).toMatchObject([
    { webhook_code: 'ERROR', item_id, error: { error_code: 'ITEM_LOGIN_REQUIRED' } },
  ]);
  expect((await env.mock.client.itemGet({ access_token })).data.item.error?.error_code).toBe(
    'ITEM_LOGIN_REQUIRED',
  );
  const balance = await plaidFailure(env.mock.client.accountsBalanceGet({ access_token }));
  expect(balance).toMatchObject({
    status: 400,
    body: { error_type: 'ITEM_ERROR', error_code: 'ITEM_LOGIN_REQUIRED' },
  });

  await run('plaid.login_repaired', { target: item_id });
  expect(await delivered()).toMatchObject([{ webhook_code: 'LOGIN_REPAIRED', item_id }]);
  expect((await env.mock.client.itemGet({ access_token })).data.item.error).toBeNull();
  const repairedAgain = await env.mock.admin('/scenarios/plaid.login_repaired', { target: item_id });
  expect(repairedAgain.status).toBe(409);
});

test('item_locked: ERROR webhook with ITEM_LOCKED; update mode after unlocking repairs the same Item', async () => {
  const { item_id, access_token } = await seed();
  await run('plaid.item_locked', { target: item_id });
  expect(await delivered()).toMatchObject([{ webhook_code: 'ERROR', error: { error_code: 'ITEM_LOCKED' } }]);
  const locked = await plaidFailure(env.mock.client.accountsGet({ access_token }));
  expect(locked).toMatchObject({
    status: 400,
    body: { error_type: 'ITEM_ERROR', error_code: 'ITEM_LOCKED' },
  });
  const { data } = await env.mock.client.linkTokenCreate({
    user: { client_user_id: 'u1' },
    client_name: 'Test',
    country_codes: [CountryCode.Us],
    language: 'en',
    access_token,
    hosted_link: {},
  });
  expect((await completeHostedLink(String(data.hosted_link_url))).status).toBe(200);
  expect((await env.mock.client.accountsGet({ access_token })).data.item.item_id).toBe(item_id);
});

test('early warnings carry their deadline and leave the Item working', async () => {
  const { item_id, access_token } = await seed();
  const now = Date.now();
  await run('plaid.pending_expiration', { target: item_id, days: 3 });
  await run('plaid.pending_disconnect', { target: item_id, days: 5, reason: 'INSTITUTION_TOKEN_EXPIRATION' });
  const [expiration, disconnect] = await delivered();
  const days = (iso: unknown) => Math.round((Date.parse(String(iso)) - now) / 86_400_000);
  expect(expiration).toMatchObject({ webhook_code: 'PENDING_EXPIRATION', item_id });
  expect(days(expiration?.consent_expiration_time)).toBe(3);
  expect(disconnect).toMatchObject({
    webhook_code: 'PENDING_DISCONNECT',
    reason: 'INSTITUTION_TOKEN_EXPIRATION',
  });
  expect(days(disconnect?.disconnect_time)).toBe(5);
  const item = conforms(schemas.itemGet, (await env.mock.client.itemGet({ access_token })).data).item;
  expect(days(item.consent_expiration_time)).toBe(3);
  expect((await env.mock.client.accountsGet({ access_token })).status).toBe(200);
  // A reminder keeps the dates: the consent and the disconnect do not move because Plaid reminds.
  await env.mock.admin('/clock', { advance_ms: 60_000 });
  await run('plaid.pending_expiration', { target: item_id, days: 3 });
  await run('plaid.pending_disconnect', { target: item_id, days: 5 });
  const [again, disconnectAgain] = await delivered();
  expect(again?.consent_expiration_time).toBe(expiration?.consent_expiration_time);
  expect(disconnectAgain).toMatchObject({
    disconnect_time: disconnect?.disconnect_time,
    reason: 'INSTITUTION_TOKEN_EXPIRATION',
  });
});

test('new accounts are shared by update mode with account selection, keeping the Item and its old accounts', async () => {
  const { item_id, access_token, account_ids } = await seed();
  await run('plaid.new_accounts_available', { target: item_id });
  expect(await delivered()).toMatchObject([{ webhook_code: 'NEW_ACCOUNTS_AVAILABLE', item_id, error: null }]);
  const { data } = await env.mock.client.linkTokenCreate({
    user: { client_user_id: 'u1' },
    client_name: 'Test',
    country_codes: [CountryCode.Us],
    language: 'en',
    access_token,
    update: { account_selection_enabled: true },
    hosted_link: {},
  });
  const done = await completeHostedLink(String(data.hosted_link_url));
  expect(done.status).toBe(200);
  const accounts = (await env.mock.client.accountsGet({ access_token })).data.accounts.map(
    (a) => a.account_id,
  );
  expect(accounts.slice(0, 2)).toEqual(account_ids);
  expect(accounts).toHaveLength(3);
  const reused = await fetch(String(data.hosted_link_url));
  expect(reused.status).toBe(400);
});

test('revocations are terminal: update mode refuses, data calls answer USER_PERMISSION_REVOKED', async () => {
  const first = await seed();
  await run('plaid.user_permission_revoked', { target: first.item_id });
  expect(await delivered()).toMatchObject([
    { webhook_code: 'USER_PERMISSION_REVOKED', error: { error_code: 'USER_PERMISSION_REVOKED' } },
  ]);
  expect(
    (await plaidFailure(env.mock.client.accountsGet({ access_token: first.access_token }))).body.error_code,
  ).toBe('USER_PERMISSION_REVOKED');
  const { data } = await env.mock.client.linkTokenCreate({
    user: { client_user_id: 'u1' },
    client_name: 'Test',
    country_codes: [CountryCode.Us],
    language: 'en',
    access_token: first.access_token,
    hosted_link: {},
  });
  expect((await fetch(String(data.hosted_link_url))).status).toBe(400);

  const second = await seed();
  const revoked = await run('plaid.user_account_revoked', { target: second.item_id });
  expect(revoked.webhooks).toHaveLength(2);
  const webhooks = await delivered();
  expect(webhooks.map((webhook) => webhook.account_id)).toEqual(second.account_ids);
  expect(
    (await plaidFailure(env.mock.client.accountsGet({ access_token: second.access_token }))).body.error_code,
  ).toBe('USER_PERMISSION_REVOKED');
});

test('institution outages answer INSTITUTION_ERROR until they end on the mock clock', async () => {
  const { item_id, access_token } = await seed();
  await run('plaid.institution_down', { target: item_id, duration_seconds: 60 });
  const down = await plaidFailure(env.mock.client.accountsGet({ access_token }));
  expect(down).toMatchObject({
    status: 400,
    body: { error_type: 'INSTITUTION_ERROR', error_code: 'INSTITUTION_DOWN' },
  });
  await run('plaid.institution_not_responding', { target: item_id, duration_seconds: 60 });
  expect((await plaidFailure(env.mock.client.accountsBalanceGet({ access_token }))).body.error_code).toBe(
    'INSTITUTION_NOT_RESPONDING',
  );
  await env.mock.admin('/clock', { advance_ms: 61_000 });
  expect((await env.mock.client.accountsBalanceGet({ access_token })).status).toBe(200);
  expect(await delivered()).toEqual([]);
});

test('webhook URL updates are acknowledged at the new URL', async () => {
  const { item_id, access_token } = await seed();
  const other = `${env.receiver.url}/other`;
  const updated = await env.mock.client.itemWebhookUpdate({ access_token, webhook: other });
  expect(conforms(schemas.itemWebhookUpdate, updated.data).item.webhook).toBe(other);
  await env.mock.flush();
  expect(env.receiver.received.map((webhook) => webhook.path)).toEqual(['/webhooks/plaid/other']);
  expect(await delivered()).toMatchObject([
    { webhook_code: 'WEBHOOK_UPDATE_ACKNOWLEDGED', new_webhook_url: other },
  ]);
  await run('plaid.webhook_update_acknowledged', { target: item_id, webhook: env.receiver.url });
  expect(await delivered()).toMatchObject([
    { webhook_code: 'WEBHOOK_UPDATE_ACKNOWLEDGED', new_webhook_url: env.receiver.url },
  ]);
});

test('a rotated key signs new deliveries under a new kid; the old key is published with expired_at', async () => {
  const { item_id } = await seed();
  await run('plaid.item_login_required', { target: item_id });
  await env.mock.flush();
  const [beforeRotation] = env.receiver.received.splice(0);
  const rotated = await run('plaid.webhook_key_rotated', {});
  const { retired, current } = rotated.changed as { retired: string; current: string };
  expect(retired).not.toBe(current);
  const old = await env.mock.client.webhookVerificationKeyGet({ key_id: retired });
  expect(conforms(schemas.webhookVerificationKeyGet, old.data).key.expired_at).toBeTypeOf('number');
  await expect(verifyPlaidWebhook(env.mock.client, beforeRotation!)).rejects.toThrow(WebhookRejected);
  await run('plaid.login_repaired', { target: item_id });
  await env.mock.flush();
  const [afterRotation] = env.receiver.received.splice(0);
  const kid = JSON.parse(
    Buffer.from(String(afterRotation!.headers['plaid-verification']).split('.')[0]!, 'base64url').toString(),
  ).kid;
  expect(kid).toBe(current);
  await expect(verifyPlaidWebhook(env.mock.client, afterRotation!)).resolves.toMatchObject({
    webhook_code: 'LOGIN_REPAIRED',
  });
  // Keys survive a reset, as Plaid's do.
  await env.mock.admin('/reset');
  expect((await env.mock.client.webhookVerificationKeyGet({ key_id: current })).status).toBe(200);
  const unknown = await plaidFailure(env.mock.client.webhookVerificationKeyGet({ key_id: 'no-such-kid' }));
  expect(unknown.body.error_code).toBe('INVALID_WEBHOOK_VERIFICATION_KEY_ID');
});

test('the bad_signature and stale_timestamp switches produce webhooks a Plaid verifier rejects', async () => {
  const { item_id } = await seed();
  await env.mock.admin('/webhooks', { bad_signature: true }, 'PUT');
  await run('plaid.item_login_required', { target: item_id });
  await env.mock.flush();
  await expect(verifyPlaidWebhook(env.mock.client, env.receiver.received.splice(0)[0]!)).rejects.toThrow(
    'bad signature',
  );
  await env.mock.admin('/webhooks', { bad_signature: false, stale_timestamp: true }, 'PUT');
  await run('plaid.login_repaired', { target: item_id });
  await env.mock.flush();
  await expect(verifyPlaidWebhook(env.mock.client, env.receiver.received.splice(0)[0]!)).rejects.toThrow(
    'older than 5 minutes',
  );
});

test('unknown targets are 404 target_not_found', async () => {
  const { status, json } = await env.mock.admin('/scenarios/plaid.item_login_required', { target: 'nope' });
  expect(status).toBe(404);
  expect(json.error).toBe('target_not_found');
});

test('API keys, bodies and tokens are checked with Plaid errors', async () => {
  const wrongKeys = plaidClient(env.mock.url, { client_id: 'someone-else', secret: 'wrong' } as never);
  const refused = await plaidFailure(
    wrongKeys.institutionsGetById({ institution_id: 'ins_109508', country_codes: [CountryCode.Us] }),
  );
  expect(refused).toMatchObject({
    status: 400,
    body: { error_type: 'INVALID_INPUT', error_code: 'INVALID_API_KEYS' },
  });
  const malformed = await fetch(`${env.mock.url}/item/get`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{',
  });
  expect(malformed.status).toBe(400);
  expect(conforms(schemas.error, await malformed.json())).toMatchObject({ error_code: 'INVALID_BODY' });
  const missing = await fetch(`${env.mock.url}/item/get`, { method: 'POST', body: JSON.stringify({}) });
  expect(await missing.json()).toMatchObject({
    error_code: 'MISSING_FIELDS',
    error_message: expect.stringContaining('client_id'),
  });
  const badToken = await plaidFailure(env.mock.client.itemGet({ access_token: 'access-sandbox-unknown' }));
  expect(badToken.body.error_code).toBe('INVALID_ACCESS_TOKEN');
  const unknownRoute = await fetch(`${env.mock.url}/no/such/route`, { method: 'POST', body: '{}' });
  expect(unknownRoute.status).toBe(404);
  conforms(schemas.error, await unknownRoute.json());
});

test('new mode through hosted Link: the public token from /link/token/get exchanges once', async () => {
  const { data } = await env.mock.client.linkTokenCreate({
    user: { client_user_id: 'new-user' },
    client_name: 'Test',
    country_codes: [CountryCode.Us],
    language: 'en',
    products: [Products.Transactions],
    webhook: env.receiver.url,
    hosted_link: {},
  });
  // A plain form post of just the Sandbox credentials (no institution chosen) links First Platypus Bank.
  const page = await fetch(String(data.hosted_link_url));
  expect(await page.text()).toContain('First Platypus Bank');
  const posted = await fetch(String(data.hosted_link_url), {
    method: 'POST',
    body: new URLSearchParams({ username: 'user_good', password: 'pass_good' }),
  });
  expect(posted.status).toBe(200);
  const session = conforms(
    schemas.linkTokenGet,
    (await env.mock.client.linkTokenGet({ link_token: data.link_token })).data,
  );
  const [added] = session.link_sessions?.[0]?.results?.item_add_results ?? [];
  expect(added?.institution?.institution_id).toBe('ins_109508');
  const exchanged = await env.mock.client.itemPublicTokenExchange({
    public_token: String(added?.public_token),
  });
  expect(
    (await env.mock.client.itemGet({ access_token: exchanged.data.access_token })).data.item.webhook,
  ).toBe(env.receiver.url);
  const again = await plaidFailure(
    env.mock.client.itemPublicTokenExchange({ public_token: String(added?.public_token) }),
  );
  expect(again.body.error_code).toBe('INVALID_PUBLIC_TOKEN');
  const institution = await env.mock.client.institutionsGetById({
    institution_id: 'ins_109508',
    country_codes: [CountryCode.Us],
  });
  expect(conforms(schemas.institutionsGetById, institution.data).institution.name).toBe(
    'First Platypus Bank',
  );
});

test('Sandbox Items take the products their institution offers; others are PRODUCTS_NOT_SUPPORTED', async () => {
  const bank = await env.mock.client.sandboxPublicTokenCreate({
    institution_id: 'ins_109508',
    initial_products: [Products.IncomeVerification, Products.Auth],
  });
  expect(bank.status).toBe(200);
  const payroll = await plaidFailure(
    env.mock.client.sandboxPublicTokenCreate({
      institution_id: 'ins_92',
      initial_products: [Products.Transactions],
    }),
  );
  expect(payroll).toMatchObject({
    status: 400,
    body: { error_type: 'ITEM_ERROR', error_code: 'PRODUCTS_NOT_SUPPORTED' },
  });
  expect(String(payroll.body.error_message)).toContain('ADP does not support transactions');
});

test('payroll income is read per user and fails with the Item error while its login is required', async () => {
  const user = conforms(
    schemas.userCreate,
    (await env.mock.client.userCreate({ client_user_id: 'payroll-user' })).data,
  );
  const { public_token } = (
    await env.mock.client.sandboxPublicTokenCreate({
      institution_id: 'ins_92',
      initial_products: [Products.IncomeVerification],
      user_token: String(user.user_token),
    })
  ).data;
  const { access_token, item_id } = (await env.mock.client.itemPublicTokenExchange({ public_token })).data;
  const income = await env.mock.client.creditPayrollIncomeGet({ user_token: String(user.user_token) });
  const [payroll] = conforms(schemas.creditPayrollIncomeGet, income.data).items;
  expect(payroll?.item_id).toBe(item_id);
  expect(payroll?.payroll_income[0]?.pay_stubs).toHaveLength(1);
  await env.mock.client.sandboxItemResetLogin({ access_token });
  const failure = await plaidFailure(
    env.mock.client.creditPayrollIncomeGet({ user_token: String(user.user_token) }),
  );
  expect(failure.body.error_code).toBe('ITEM_LOGIN_REQUIRED');
});
