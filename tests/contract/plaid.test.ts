/**
 * The Plaid adapter driven through ReconnectionService against the Plaid mock over real HTTP, for what the
 * conformance suite does not cover: a payroll Item linked for a Plaid user, revoked, and the user's next Item
 * attached as its successor by the evidence Plaid gives (the webhooks' `user_id`), while an Item of another
 * user is not.
 */
import { randomBytes } from 'node:crypto';
import { mockAdmin, startWebhookReceiver } from '@reconnect-kit/contract-tests';
import { RECONNECTION_SERVICE, type ReconnectionService, registerReconnectKit } from '@reconnect-kit/core';
import { PLAID_DEFAULT_CREDENTIALS, startPlaidMock } from '@reconnect-kit/mock-plaid';
import { registerPlaid } from '@reconnect-kit/plaid';
import { Configuration, PlaidApi, Products, SandboxItemFireWebhookRequestWebhookCodeEnum } from 'plaid';
import { container } from 'tsyringe';
import { afterAll, beforeAll, expect, it } from 'vitest';

let mock: Awaited<ReturnType<typeof startPlaidMock>>;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let plaid: PlaidApi;
let service: ReconnectionService;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  mock = await startPlaidMock({ port: 0, env: {} });
  plaid = new PlaidApi(
    new Configuration({
      basePath: mock.url,
      baseOptions: {
        headers: {
          'PLAID-CLIENT-ID': PLAID_DEFAULT_CREDENTIALS.client_id,
          'PLAID-SECRET': PLAID_DEFAULT_CREDENTIALS.secret,
        },
      },
    }),
  );
  const host = container.createChildContainer();
  registerReconnectKit(host, {
    stateSigningKey: randomBytes(32).toString('hex'),
    secretBox: { keys: [{ id: 'k1', key: randomBytes(32).toString('base64') }], primaryKeyId: 'k1' },
    store: { kind: 'memory' },
  });
  registerPlaid(host, {
    clientId: PLAID_DEFAULT_CREDENTIALS.client_id,
    secret: PLAID_DEFAULT_CREDENTIALS.secret,
    baseUrl: mock.url,
    redirectUri: 'https://host.example/plaid/callback',
    clientName: 'Contract test',
    maxRetries: 0,
  });
  service = host.resolve<ReconnectionService>(RECONNECTION_SERVICE);
});
afterAll(async () => {
  await mock?.close();
  await receiver?.close();
});

/** Delivers what the mock queued to the host, as its webhook route would. */
async function ingestWebhooks(): Promise<void> {
  await mockAdmin(mock.url, 'POST', '/webhooks/flush');
  for (const { rawBody, headers } of receiver.deliveries.splice(0)) {
    await service.ingestWebhook('plaid', rawBody, headers);
  }
  await service.settle();
}

/** A payroll Item at ADP for the Plaid user, its webhooks sent to the host. */
async function payrollItem(userToken: string) {
  const { public_token } = (
    await plaid.sandboxPublicTokenCreate({
      institution_id: 'ins_92',
      initial_products: [Products.IncomeVerification],
      user_token: userToken,
      options: { webhook: receiver.url },
    })
  ).data;
  return (await plaid.itemPublicTokenExchange({ public_token })).data;
}

it("a revoked Item's user links again: the new Item is its successor, by the webhooks' user_id; another user's is not", async () => {
  const user = (await plaid.userCreate({ client_user_id: 'host-user-7' })).data;
  const first = await payrollItem(String(user.user_token));
  const connection = await service.registerConnection({
    provider: 'plaid',
    hostUserId: 'host-user-7',
    upstreamId: first.item_id,
    upstreamParentId: user.user_id,
    secrets: { access_token: first.access_token },
  });
  await mockAdmin(mock.url, 'POST', '/scenarios/plaid.user_permission_revoked', { target: first.item_id });
  await ingestWebhooks();
  expect((await service.getConnection(connection.id)).state).toBe('revoked');

  const second = await payrollItem(String(user.user_token));
  const stranger = (await plaid.userCreate({ client_user_id: 'someone-else' })).data;
  const unrelated = await payrollItem(String(stranger.user_token));
  for (const item of [second, unrelated]) {
    await plaid.sandboxItemFireWebhook({
      access_token: item.access_token,
      webhook_code: SandboxItemFireWebhookRequestWebhookCodeEnum.LoginRepaired,
    });
  }
  await ingestWebhooks();

  const { items } = await service.listConnections({ provider: 'plaid', limit: 100 });
  const successor = items.find((c) => c.upstreamId === second.item_id);
  expect(successor).toMatchObject({
    hostUserId: 'host-user-7',
    previousConnectionId: connection.id,
    upstreamParentId: user.user_id,
    state: 'connected',
  });
  expect(items.some((c) => c.upstreamId === unrelated.item_id)).toBe(false);
});
