import { type DependencyContainer, container as rootContainer } from 'tsyringe';
import { ManualClock } from '../clock.js';
import type { ReconnectKitOptionsInput } from '../options.js';
import type { Logger, Notifier } from '../ports.js';
import { type ReconnectKitConfig, registerReconnectKit } from '../register.js';
import type { SecretBoxConfig } from '../secret-box.js';
import { ReconnectionService } from '../service.js';
import type { ConnectionStore } from '../store/port.js';
import { CONNECTION_STORE, RECONNECTION_PROVIDER } from '../tokens.js';
import {
  ExampleProvider,
  ExampleVendor,
  type ExampleWebhookEvent,
  signExampleWebhook,
} from './example-provider.js';

/** Fixed, obviously-fake keys for tests. Never use them outside tests. */
export const TEST_STATE_SIGNING_KEY = 'test-state-signing-key-0123456789abcdef';
export const TEST_SECRET_BOX: SecretBoxConfig = {
  keys: [{ id: 'k1', key: Buffer.alloc(32, 1).toString('base64') }],
  primaryKeyId: 'k1',
};
export const TEST_WEBHOOK_SECRET = 'example-webhook-secret';

export interface ExampleKit {
  readonly container: DependencyContainer;
  readonly service: ReconnectionService;
  readonly store: ConnectionStore;
  readonly vendor: ExampleVendor;
  readonly provider: ExampleProvider;
  readonly clock: ManualClock;
  /** A signed webhook for `events`, stamped with the clock's time. */
  webhook(events: readonly ExampleWebhookEvent[]): {
    readonly body: string;
    readonly rawBody: Uint8Array;
    readonly headers: Record<string, string>;
  };
  /** Ingests a signed webhook for `events` through the service. */
  ingest(events: readonly ExampleWebhookEvent[]): ReturnType<ReconnectionService['ingestWebhook']>;
}

export interface ExampleKitOptions {
  readonly store?: ReconnectKitConfig['store'];
  readonly logger?: Logger;
  readonly notifier?: Notifier;
  readonly options?: ReconnectKitOptionsInput;
  readonly clock?: ManualClock;
  readonly secretBox?: ReconnectKitConfig['secretBox'];
  readonly parent?: DependencyContainer;
  /** The fleet's vendor budget (default: none). */
  readonly vendorBudget?: ReconnectKitConfig['vendorBudget'];
  /** The example provider's own `impact`. */
  readonly providerImpact?: readonly string[];
}

/**
 * A ready child container: core registered with test keys and a manual clock, plus the example provider.
 * Defaults to the in-memory store.
 */
export function createExampleKit(options: ExampleKitOptions = {}): ExampleKit {
  const container = (options.parent ?? rootContainer).createChildContainer();
  const clock = options.clock ?? new ManualClock();
  const vendor = new ExampleVendor();
  const provider = new ExampleProvider({
    vendor,
    webhookSecret: TEST_WEBHOOK_SECRET,
    clock,
    impact: options.providerImpact,
  });
  registerReconnectKit(container, {
    stateSigningKey: TEST_STATE_SIGNING_KEY,
    secretBox: options.secretBox ?? TEST_SECRET_BOX,
    store: options.store ?? { kind: 'memory' },
    clock,
    logger: options.logger,
    notifier: options.notifier,
    vendorBudget: options.vendorBudget,
    options: options.options,
  });
  container.register(RECONNECTION_PROVIDER, { useValue: provider });
  const service = container.resolve(ReconnectionService);
  const webhook = (events: readonly ExampleWebhookEvent[]) =>
    signExampleWebhook(TEST_WEBHOOK_SECRET, events, clock.now());
  return {
    container,
    service,
    store: container.resolve<ConnectionStore>(CONNECTION_STORE),
    vendor,
    provider,
    clock,
    webhook,
    ingest(events) {
      const signed = webhook(events);
      return service.ingestWebhook(provider.id, signed.rawBody, new Headers(signed.headers));
    },
  };
}
