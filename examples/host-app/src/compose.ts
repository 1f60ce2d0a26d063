/**
 * How a real host app composes Reconnect Kit: one tsyringe child container with core, a store, the Argyle and
 * Finch and Plaid adapters; the service is resolved from it. Everything vendor-specific comes in through `KitConfig`.
 */
import { randomBytes } from 'node:crypto';
import { registerArgyle } from '@reconnect-kit/argyle';
import {
  type Clock,
  CONNECTION_STORE,
  type ConnectionStore,
  type Logger,
  NoopLogger,
  ReconnectionService,
  registerReconnectKit,
} from '@reconnect-kit/core';
import { FinchProvider, registerFinch } from '@reconnect-kit/finch';
import { registerPlaid } from '@reconnect-kit/plaid';
import { createPostgresStore } from '@reconnect-kit/store-postgres';
import { container } from 'tsyringe';

/** Where connections live: an embedded `node:sqlite` file (or `:memory:`), or PostgreSQL. */
export type StoreChoice =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly connectionString: string; readonly schema?: string | undefined };

export interface KitConfig {
  readonly store: StoreChoice;
  /** The absolute URL of `GET /reconnect/callback` (Finch Connect and Argyle Link send the user back there). */
  readonly callbackUrl: string;
  readonly argyle: {
    readonly apiKeyId: string;
    readonly apiKeySecret: string;
    /** API root ending in `/v2`. */
    readonly baseUrl: string;
    readonly linkUrl: string;
    readonly webhookSecret: string;
  };
  readonly finch: {
    readonly clientId: string;
    readonly clientSecret: string;
    readonly baseUrl: string;
    readonly webhookSecret: string;
  };
  /** Plaid signs webhooks with its own keys: no webhook secret. */
  readonly plaid: {
    readonly clientId: string;
    readonly secret: string;
    readonly baseUrl: string;
  };
  /** HMAC key for reconnect `state` tokens; default: a random key per process. */
  readonly stateSigningKey?: string | undefined;
  /** Base64 AES-256 key for stored secrets; default: a random key per process. */
  readonly secretKey?: string | undefined;
  readonly logger?: Logger | undefined;
  /** How long a reconnect attempt (its `state` and the vendor link) lives; default core's (30 minutes). */
  readonly stateTtlMs?: number | undefined;
  /** Default: the system clock. Tests pass their own to move time (see `HostAppOptions.clock`). */
  readonly clock?: Clock | undefined;
}

export interface ComposedKit {
  readonly service: ReconnectionService;
  /** The Finch adapter itself, for what the service does not own: Connect sessions for NEW connections. */
  readonly finch: FinchProvider;
  /** Stops the outbox dispatcher and closes the store. */
  close(): Promise<void>;
}

async function openStore(choice: StoreChoice): Promise<ConnectionStore | { kind: 'sqlite'; path: string }> {
  if (choice.kind === 'sqlite') return choice;
  return createPostgresStore({
    connectionString: choice.connectionString,
    ...(choice.schema ? { schema: choice.schema } : {}),
  });
}

export async function composeReconnectKit(config: KitConfig): Promise<ComposedKit> {
  const kit = container.createChildContainer();
  const store = await openStore(config.store);
  registerReconnectKit(kit, {
    stateSigningKey: config.stateSigningKey ?? randomBytes(32).toString('hex'),
    secretBox: {
      keys: [{ id: 'k1', key: config.secretKey ?? randomBytes(32).toString('base64') }],
      primaryKeyId: 'k1',
    },
    store,
    logger: config.logger ?? new NoopLogger(),
    ...(config.clock ? { clock: config.clock } : {}),
    options: {
      ...(config.stateTtlMs ? { stateTtlMs: config.stateTtlMs } : {}),
      notifications: {
        providers: {
          argyle: { impact: ['Income and employment checks stop updating.'] },
          finch: { impact: ['Payroll sync is paused.'] },
          plaid: { impact: ['Bank balances stop updating.'] },
        },
      },
    },
  });
  registerArgyle(kit, { ...config.argyle, impact: ['Income and employment checks stop updating.'] });
  registerFinch(kit, {
    ...config.finch,
    redirectUri: config.callbackUrl,
    impact: ['Payroll sync is paused.'],
  });
  // Update mode on hosted Link sends the user back to the same callback (`?state=…`).
  registerPlaid(kit, {
    ...config.plaid,
    redirectUri: config.callbackUrl,
    clientName: 'Paycheck Pal',
    impact: ['Bank balances stop updating.'],
  });
  const service = kit.resolve(ReconnectionService);
  service.startDispatcher();
  return {
    service,
    finch: kit.resolve(FinchProvider),
    async close() {
      await service.stopDispatcher();
      const closable = kit.resolve<{ close?: () => unknown }>(CONNECTION_STORE);
      await closable.close?.();
    },
  };
}
