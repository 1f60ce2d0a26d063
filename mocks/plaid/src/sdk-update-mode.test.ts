/**
 * Acceptance: the official `plaid` SDK against the mock with only `basePath` changed, through the Item lifecycle
 * of Plaid's docs: Sandbox Item → exchange → reset_login → ITEM_LOGIN_REQUIRED → the ITEM ERROR webhook verifies as
 * Plaid documents → update mode through the hosted Link page → the same access token, Item id and account ids work
 * again; then fire_webhook and /item/remove. Every 2xx body is checked against Plaid's OpenAPI schema.
 */

import { CountryCode, Products, SandboxItemFireWebhookRequestWebhookCodeEnum as WebhookCode } from 'plaid';
import { expect, test } from 'vitest';
import {
  completeHostedLink,
  conforms,
  plaidFailure,
  schemas,
  useMockWithReceiver,
  verifyPlaidWebhook,
} from './plaid.test-helpers.js';

const COMPLETION = 'https://host.example/plaid/done?attempt=1';
const env = useMockWithReceiver({ defaultWebhook: false });

async function webhooks() {
  await env.mock.flush();
  return Promise.all(
    env.receiver.received.splice(0).map((webhook) => verifyPlaidWebhook(env.mock.client, webhook)),
  );
}

test('Sandbox Item → ITEM_LOGIN_REQUIRED → verified ERROR webhook → hosted update mode → same Item works again', async () => {
  const { client } = env.mock;
  const created = await client.sandboxPublicTokenCreate({
    institution_id: 'ins_109508',
    initial_products: [Products.Transactions],
    options: { webhook: env.receiver.url },
  });
  conforms(schemas.sandboxPublicTokenCreate, created.data);
  const exchanged = await client.itemPublicTokenExchange({ public_token: created.data.public_token });
  conforms(schemas.itemPublicTokenExchange, exchanged.data);
  const { access_token, item_id } = exchanged.data;
  expect(access_token).toMatch(/^access-sandbox-/);
  const before = conforms(schemas.accountsGet, (await client.accountsGet({ access_token })).data);
  const accountIds = before.accounts.map((account) => account.account_id);
  expect(accountIds).toHaveLength(2);

  const reset = await client.sandboxItemResetLogin({ access_token });
  expect(conforms(schemas.sandboxItemResetLogin, reset.data).reset_login).toBe(true);
  const failure = await plaidFailure(client.accountsGet({ access_token }));
  expect(failure.status).toBe(400);
  expect(failure.body).toMatchObject({ error_type: 'ITEM_ERROR', error_code: 'ITEM_LOGIN_REQUIRED' });

  const [errorWebhook, ...others] = await webhooks();
  expect(others).toEqual([]);
  expect(errorWebhook).toMatchObject({
    webhook_type: 'ITEM',
    webhook_code: 'ERROR',
    item_id,
    error: { error_code: 'ITEM_LOGIN_REQUIRED', error_type: 'ITEM_ERROR' },
    environment: 'sandbox',
  });
  const broken = conforms(schemas.itemGet, (await client.itemGet({ access_token })).data);
  expect(broken.item.error?.error_code).toBe('ITEM_LOGIN_REQUIRED');

  const linkToken = await client.linkTokenCreate({
    user: { client_user_id: 'host-user-42' },
    client_name: 'Reconnect Kit test',
    country_codes: [CountryCode.Us],
    language: 'en',
    access_token,
    hosted_link: { completion_redirect_uri: COMPLETION },
  });
  conforms(schemas.linkTokenCreate, linkToken.data);
  const hostedLinkUrl = linkToken.data.hosted_link_url;
  expect(hostedLinkUrl).toBeDefined();
  const page = await (await fetch(String(hostedLinkUrl))).text();
  expect(page).toContain('user_good');
  expect(page).toContain('pass_good');
  const wrong = await completeHostedLink(String(hostedLinkUrl), { username: 'user_good', password: 'nope' });
  expect(wrong.status).toBe(400);
  expect(await wrong.text()).toContain('INVALID_CREDENTIALS');
  const done = await completeHostedLink(String(hostedLinkUrl));
  expect(done.status).toBe(302);
  expect(done.headers.get('location')).toBe(COMPLETION);

  const after = conforms(schemas.accountsGet, (await client.accountsGet({ access_token })).data);
  expect(after.item.item_id).toBe(item_id);
  expect(after.item.error).toBeNull();
  expect(after.accounts.map((account) => account.account_id)).toEqual(accountIds);
  const session = conforms(
    schemas.linkTokenGet,
    (await client.linkTokenGet({ link_token: linkToken.data.link_token })).data,
  );
  expect(session.link_sessions?.[0]?.results?.item_add_results).toEqual([]);
});

test('fire_webhook sends the documented ITEM webhook, signed; /item/remove ends the Item', async () => {
  const { client } = env.mock;
  const { public_token } = (
    await client.sandboxPublicTokenCreate({
      institution_id: 'ins_109508',
      initial_products: [Products.Transactions],
      options: { webhook: env.receiver.url },
    })
  ).data;
  const { access_token, item_id } = (await client.itemPublicTokenExchange({ public_token })).data;
  for (const code of [
    WebhookCode.NewAccountsAvailable,
    WebhookCode.PendingDisconnect,
    WebhookCode.LoginRepaired,
    WebhookCode.UserPermissionRevoked,
    WebhookCode.UserAccountRevoked,
  ]) {
    const fired = await client.sandboxItemFireWebhook({ access_token, webhook_code: code });
    expect(conforms(schemas.sandboxItemFireWebhook, fired.data).webhook_fired).toBe(true);
    const [webhook] = await webhooks();
    expect(webhook).toMatchObject({ webhook_type: 'ITEM', webhook_code: code, item_id });
  }
  const unsupported = await plaidFailure(
    client.sandboxItemFireWebhook({ access_token, webhook_code: WebhookCode.DefaultUpdate }),
  );
  expect(unsupported.body).toMatchObject({ error_type: 'INVALID_REQUEST', error_code: 'INVALID_FIELD' });

  // fire_webhook only sends: the Item itself still works.
  expect((await client.accountsGet({ access_token })).status).toBe(200);
  expect(
    conforms(schemas.itemRemove, (await client.itemRemove({ access_token })).data).request_id,
  ).toBeTruthy();
  const gone = await plaidFailure(client.itemGet({ access_token }));
  expect(gone).toMatchObject({
    status: 400,
    body: { error_type: 'ITEM_ERROR', error_code: 'ITEM_NOT_FOUND' },
  });
  expect((await plaidFailure(client.accountsGet({ access_token }))).body.error_code).toBe('ITEM_NOT_FOUND');
});
