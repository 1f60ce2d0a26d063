import type { Clock } from './clock.js';
import { isReconnectKitError, ReconnectKitError } from './errors.js';
import { redact } from './logger.js';
import type { ReconnectKitOptions } from './options.js';
import { OutboxDispatcher } from './outbox-dispatcher.js';
import type { Logger, Notifier } from './ports.js';
import type { CallPriority, VendorBudget } from './resilience/vendor-budget.js';
import type { SecretBox } from './secret-box.js';
import type { Connection } from './service-api.js';
import type { StateTokenSigner } from './state-token.js';
import type { ConnectionStore, ConnectionStoreOps } from './store/port.js';
import type { ProviderConnection, ReconnectionProvider } from './types.js';

/** What the `ReconnectionService` facade is given by the container. */
export interface ServiceDependencies {
  readonly providers: readonly ReconnectionProvider[];
  readonly store: ConnectionStore;
  readonly clock: Clock;
  readonly secretBox: SecretBox;
  readonly stateSigner: StateTokenSigner;
  readonly notifier: Notifier;
  readonly logger: Logger;
  readonly options: ReconnectKitOptions;
  readonly budget: VendorBudget;
}

/**
 * The dependencies and plumbing every part of the service shares: provider lookup, vendor calls, secrets and
 * the outbox dispatcher.
 */
export class ServiceContext {
  readonly store: ConnectionStore;
  readonly clock: Clock;
  readonly secretBox: SecretBox;
  readonly stateSigner: StateTokenSigner;
  readonly notifier: Notifier;
  readonly logger: Logger;
  readonly options: ReconnectKitOptions;
  readonly outbox: OutboxDispatcher;
  readonly #budget: VendorBudget;
  readonly #providers: ReadonlyMap<string, ReconnectionProvider>;

  constructor(deps: ServiceDependencies) {
    const { providers } = deps;
    const duplicate = providers.find(
      (provider, index) => providers.findIndex((p) => p.id === provider.id) !== index,
    );
    if (duplicate) {
      throw new ReconnectKitError('config_invalid', {
        message: `Two providers are registered with the id "${duplicate.id}".`,
        details: { provider: duplicate.id },
      });
    }
    this.#providers = new Map(providers.map((provider) => [provider.id, provider]));
    this.store = deps.store;
    this.clock = deps.clock;
    this.secretBox = deps.secretBox;
    this.stateSigner = deps.stateSigner;
    this.notifier = deps.notifier;
    this.logger = deps.logger;
    this.options = deps.options;
    this.#budget = deps.budget;
    this.outbox = new OutboxDispatcher(deps.store, deps.clock, deps.logger, deps.options.outbox);
  }

  provider(providerId: string): ReconnectionProvider {
    const provider = this.#providers.get(providerId);
    if (!provider)
      throw new ReconnectKitError('provider_not_registered', { details: { provider: providerId } });
    return provider;
  }

  getConnection(connectionId: string): Promise<Connection> {
    return requireConnection(this.store, connectionId);
  }

  /**
   * Calls the provider once the fleet's vendor budget allows (interactive calls ahead of background ones); a
   * rate-limit answer pauses the provider for the whole fleet. Errors that are not ReconnectKitErrors (vendor SDK
   * errors, whose messages may quote tokens) are wrapped as `upstream_error`, keeping the original only as `cause`.
   */
  async vendorCall<T>(
    provider: ReconnectionProvider,
    call: () => Promise<T>,
    priority: CallPriority = 'interactive',
  ): Promise<T> {
    await this.#budget.take(provider.id, priority);
    try {
      return await call();
    } catch (error) {
      if (isReconnectKitError(error, 'upstream_rate_limited')) {
        // A 429 without a Retry-After still pauses the fleet, for a second.
        const retryAfterMs = error.details.retryAfterMs;
        const pauseMs = typeof retryAfterMs === 'number' && retryAfterMs > 0 ? retryAfterMs : 1_000;
        await this.#budget.pause(provider.id, pauseMs).catch((pauseError: unknown) => {
          this.logger.warn('could not pause the vendor budget', {
            provider: provider.id,
            error: redact(pauseError),
          });
        });
      }
      if (isReconnectKitError(error)) throw error;
      throw new ReconnectKitError('upstream_error', { cause: error, details: { provider: provider.id } });
    }
  }

  sealSecrets(connectionId: string, secrets: Readonly<Record<string, string>>): string {
    return this.secretBox.seal(JSON.stringify(secrets), connectionId);
  }

  /** The only place secrets are decrypted: to hand the provider its connection. `secrets` is non-enumerable. */
  async providerConnection(connection: Connection): Promise<ProviderConnection> {
    const sealed = await this.store.getSecrets(connection.id);
    const secrets: Record<string, string> = sealed
      ? JSON.parse(this.secretBox.open(sealed, connection.id))
      : {};
    const ref = {
      id: connection.id,
      provider: connection.provider,
      hostUserId: connection.hostUserId,
      upstreamId: connection.upstreamId,
      upstreamParentId: connection.upstreamParentId,
      metadata: { ...connection.metadata },
    };
    Object.defineProperty(ref, 'secrets', { value: Object.freeze(secrets), enumerable: false });
    return ref as ProviderConnection;
  }
}

/** The connection as `ops` (the store, or an open transaction) has it; `connection_not_found` if there is none. */
export async function requireConnection(ops: ConnectionStoreOps, connectionId: string): Promise<Connection> {
  const connection = await ops.getConnection(connectionId);
  if (!connection) throw new ReconnectKitError('connection_not_found', { details: { connectionId } });
  return connection;
}
