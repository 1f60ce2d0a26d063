import { ReconnectionService } from './service.js';
import type { Connection } from './service-api.js';
import type { ExampleKit } from './testing/index.js';
import { LOGGER, NOTIFIER, RECONNECT_KIT_CONFIG, SECRET_BOX, STATE_SIGNER, VENDOR_BUDGET } from './tokens.js';

/**
 * A second "process" of the kit's deployment: its own service instance (own in-process state such as the
 * single-flight map and the loops) over the kit's store, keys, clock, provider and vendor budget.
 */
export function secondServiceInstance(kit: ExampleKit): ReconnectionService {
  const c = kit.container;
  return new ReconnectionService(
    [kit.provider],
    kit.store,
    kit.clock,
    c.resolve(SECRET_BOX),
    c.resolve(STATE_SIGNER),
    c.resolve(NOTIFIER),
    c.resolve(LOGGER),
    c.resolve(RECONNECT_KIT_CONFIG),
    c.resolve(VENDOR_BUDGET),
  );
}

/**
 * Adds an account owned by `owner_1` to the example vendor and registers it, with its token as the secret, as a
 * connection of `hostUserId`.
 */
export function registerExampleAccount(
  kit: ExampleKit,
  { account = 'acc_1', token = 'tok', hostUserId = 'user_1' } = {},
): Promise<Connection> {
  kit.vendor.addAccount({ id: account, ownerId: 'owner_1', token });
  return kit.service.registerConnection({
    provider: 'example',
    hostUserId,
    upstreamId: account,
    upstreamParentId: 'owner_1',
    secrets: { token },
  });
}
