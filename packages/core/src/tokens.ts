/** DI tokens (tsyringe). Every constructor parameter in Reconnect Kit uses an explicit `@inject(TOKEN)`. */
export const RECONNECTION_PROVIDER = Symbol.for('reconnect-kit.ReconnectionProvider');
export const CONNECTION_STORE = Symbol.for('reconnect-kit.ConnectionStore');
export const CLOCK = Symbol.for('reconnect-kit.Clock');
export const HTTP_FETCH = Symbol.for('reconnect-kit.HttpFetch');
export const LOGGER = Symbol.for('reconnect-kit.Logger');
export const SECRET_BOX = Symbol.for('reconnect-kit.SecretBox');
export const NOTIFIER = Symbol.for('reconnect-kit.Notifier');
/** The fleet-wide vendor call budget (`VendorBudget`); defaults to no budget. */
export const VENDOR_BUDGET = Symbol.for('reconnect-kit.VendorBudget');
/** Service-level options (state signing key, state TTL, outbox retry policy, ...). */
export const RECONNECT_KIT_CONFIG = Symbol.for('reconnect-kit.Config');
/** The `StateTokenSigner` that mints and verifies reconnect `state` tokens. */
export const STATE_SIGNER = Symbol.for('reconnect-kit.StateSigner');
/** The `ReconnectionService` (also resolvable by its class). */
export const RECONNECTION_SERVICE = Symbol.for('reconnect-kit.ReconnectionService');
