/** A `ReconnectionService` with the Argyle adapter, composed from the built packages the way a host app does. */
import { randomBytes } from 'node:crypto';
import { WEBHOOK_SECRET } from './argyle-webhooks.mjs';
import { importBuilt, importDependencyOf } from './packages.mjs';

export const ARGYLE_MOCK_CREDENTIALS = {
  apiKeyId: 'argyle-mock-api-key-id',
  apiKeySecret: 'argyle-mock-api-key-secret',
};

/**
 * `store`: anything `registerReconnectKit` accepts (`{ kind: 'sqlite', path }`, a ConnectionStore, …).
 * `argyleUrl`: the Argyle API origin (the mock's URL for status checks; unused by webhook ingestion).
 * `fetch`: the adapter's HTTP_FETCH (default: the global fetch), e.g. a wrapper that records calls.
 * `vendorBudget`: the fleet's vendor budget (e.g. a PostgresVendorBudget); default none.
 */
export async function composeArgyleService({
  store,
  argyleUrl = 'http://127.0.0.1:9',
  options,
  fetch,
  vendorBudget,
} = {}) {
  const core = await importBuilt('core');
  const argyle = await importBuilt('argyle');
  const { container } = await importDependencyOf('core', 'tsyringe');
  const child = container.createChildContainer();
  core.registerReconnectKit(child, {
    stateSigningKey: randomBytes(32).toString('hex'),
    secretBox: { keys: [{ id: 'bench', key: randomBytes(32).toString('base64') }], primaryKeyId: 'bench' },
    store,
    options,
    vendorBudget,
  });
  if (fetch) child.register(core.HTTP_FETCH, { useValue: fetch });
  argyle.registerArgyle(child, {
    ...ARGYLE_MOCK_CREDENTIALS,
    baseUrl: `${argyleUrl}/v2`,
    webhookSecret: WEBHOOK_SECRET,
    linkUrl: `${argyleUrl}/link`,
  });
  return { service: child.resolve(core.ReconnectionService), store: child.resolve(core.CONNECTION_STORE) };
}

/** Registers one connected connection per account (upstream id = account, parent = Argyle user). */
export async function registerConnections(service, accounts) {
  for (const [index, { account, user }] of accounts.entries()) {
    await service.registerConnection({
      provider: 'argyle',
      hostUserId: `host-user-${index}`,
      upstreamId: account,
      upstreamParentId: user,
      state: 'connected',
    });
  }
}
