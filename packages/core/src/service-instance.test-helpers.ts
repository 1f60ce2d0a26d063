import { ReconnectionService } from './service.js';
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
