import type { DependencyContainer } from 'tsyringe';
import { z } from 'zod';
import { type Clock, SystemClock } from './clock.js';
import { NoopLogger } from './logger.js';
import { OutboxNotifier } from './notifier.js';
import { reconnectKitOptionsSchema } from './options.js';
import type { Logger, Notifier } from './ports.js';
import { UNLIMITED_BUDGET, type VendorBudget } from './resilience/vendor-budget.js';
import { SecretBox } from './secret-box.js';
import { ReconnectionService } from './service.js';
import { StateTokenSigner } from './state-token.js';
import { MemoryConnectionStore } from './store/memory.js';
import type { ConnectionStore } from './store/port.js';
import { SqliteConnectionStore } from './store/sqlite.js';
import {
  CLOCK,
  CONNECTION_STORE,
  LOGGER,
  NOTIFIER,
  RECONNECT_KIT_CONFIG,
  RECONNECTION_SERVICE,
  SECRET_BOX,
  STATE_SIGNER,
  VENDOR_BUDGET,
} from './tokens.js';
import { parseConfig } from './validation.js';

const hasMethods =
  <T>(...methods: string[]) =>
  (value: unknown): value is T =>
    typeof value === 'object' &&
    value !== null &&
    methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function');

const storeSchema = z.union([
  z.object({ kind: z.literal('memory') }).strict(),
  z
    .object({
      kind: z.literal('sqlite'),
      path: z.string().min(1),
      synchronous: z.enum(['normal', 'full']).optional(),
    })
    .strict(),
  z.custom<ConnectionStore>(
    hasMethods('transaction', 'withConnectionLock', 'getConnection'),
    'must be { kind: "memory" }, { kind: "sqlite", path }, or a ConnectionStore',
  ),
]);

const configSchema = z
  .object({
    /** HMAC key for reconnect `state` tokens (at least 32 characters; keep it secret). */
    stateSigningKey: z.string().min(32, 'must be at least 32 characters'),
    /** AES-256-GCM keys for stored secrets: `{ keys: [{ id, key (base64, 32 bytes) }], primaryKeyId }`. */
    secretBox: z.unknown(),
    /** Default `{ kind: 'sqlite', path: ':memory:' }`. */
    store: storeSchema.optional(),
    clock: z.custom<Clock>(hasMethods('now', 'sleep'), 'must have now() and sleep()').optional(),
    logger: z.custom<Logger>(hasMethods('debug', 'info', 'warn', 'error'), 'must be a Logger').optional(),
    notifier: z.custom<Notifier>(hasMethods('notify'), 'must have notify()').optional(),
    /** Vendor calls per provider shared by every instance (e.g. `PostgresVendorBudget`). Default: none. */
    vendorBudget: z
      .custom<VendorBudget>(hasMethods('take', 'pause'), 'must have take() and pause()')
      .optional(),
    options: z.unknown().optional(),
  })
  .strict();

export type ReconnectKitConfig = Omit<z.input<typeof configSchema>, 'secretBox' | 'options'> & {
  readonly secretBox: ConstructorParameters<typeof SecretBox>[0];
  readonly options?: z.input<typeof reconnectKitOptionsSchema>;
};

/**
 * Registers core into a tsyringe container: clock, logger, secret box, state signer, store, notifier, options
 * and the `ReconnectionService` (singleton; resolve it by class or `RECONNECTION_SERVICE`). Providers are
 * registered separately by each adapter's `registerX(container, config)`. Throws `config_invalid` naming the
 * bad field; nothing is registered then.
 */
export function registerReconnectKit(container: DependencyContainer, config: ReconnectKitConfig): void {
  const parsed = parseConfig(configSchema, config, '');
  const options = parseConfig(reconnectKitOptionsSchema, parsed.options ?? {}, 'options');
  const secretBox = new SecretBox(config.secretBox);
  const signer = new StateTokenSigner(parsed.stateSigningKey);
  const store = createStore(parsed.store);

  container.register(CLOCK, { useValue: parsed.clock ?? new SystemClock() });
  container.register(LOGGER, { useValue: parsed.logger ?? new NoopLogger() });
  container.register(SECRET_BOX, { useValue: secretBox });
  container.register(STATE_SIGNER, { useValue: signer });
  container.register(CONNECTION_STORE, { useValue: store });
  container.register(RECONNECT_KIT_CONFIG, { useValue: options });
  container.register(VENDOR_BUDGET, { useValue: parsed.vendorBudget ?? UNLIMITED_BUDGET });
  if (parsed.notifier) container.register(NOTIFIER, { useValue: parsed.notifier });
  else container.registerSingleton(NOTIFIER, OutboxNotifier);
  container.registerSingleton(ReconnectionService);
  container.register(RECONNECTION_SERVICE, { useToken: ReconnectionService });
}

function createStore(choice: z.output<typeof storeSchema> | undefined): ConnectionStore {
  if (choice === undefined) return new SqliteConnectionStore(':memory:');
  if ('kind' in choice && choice.kind === 'memory') return new MemoryConnectionStore();
  if ('kind' in choice && choice.kind === 'sqlite') {
    return new SqliteConnectionStore(
      choice.path,
      choice.synchronous ? { synchronous: choice.synchronous } : {},
    );
  }
  return choice as ConnectionStore;
}
