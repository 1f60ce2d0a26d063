import type { CallbackParams, ReconnectAction, ReconnectionProvider } from '@reconnect-kit/core';
import type { DependencyContainer } from 'tsyringe';
import type { MockEnv } from './harness/mock-admin.js';

/** A running mock (what `startArgyleMock`/`startFinchMock` return is enough). */
export interface RunningMock {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the provider's mock; `webhookUrl` is the suite's receiver (pass it to the mock if it takes one). */
export interface MockStarter {
  start(options: { readonly webhookUrl: string }): Promise<RunningMock>;
}

export interface ProviderSetup<Config> {
  /** A fresh child container with core's clock, logger and store registered in its parent. */
  readonly container: DependencyContainer;
  readonly config: Config;
  readonly env: MockEnv;
}

/** What the suite registers with the service for a seeded upstream connection. */
export interface SeededConnection {
  readonly upstreamId: string;
  readonly upstreamParentId?: string | undefined;
  /** Stored encrypted (e.g. a Finch access token); added to the secrets that must never be logged. */
  readonly secrets?: Readonly<Record<string, string>> | undefined;
  readonly metadata?: Readonly<Record<string, string>> | undefined;
}

export interface ConformanceHooks {
  /** Once after the mock and the receiver start, e.g. subscribe the receiver (Argyle `POST /v2/webhooks`). */
  connectWebhooks?(env: MockEnv): Promise<void>;
  /** Creates a healthy upstream connection through the mock's admin API (usually the catalogue's seed scenario). */
  seed(env: MockEnv): Promise<SeededConnection>;
  /**
   * Plays the end user through the vendor's reconnect page for `action` (Link form posts, Connect page login) and
   * returns the host callback's parameters, or `undefined` when the vendor flow ended without sending the user back
   * (a failed reconnect).
   */
  completeReconnect(action: ReconnectAction, env: MockEnv): Promise<CallbackParams | undefined>;
  /**
   * Makes one vendor data call with the seeded connection's credentials and returns what it threw (the error the
   * host would report). Needed by `api_error` scenarios.
   */
  callVendorApi?(seeded: SeededConnection, env: MockEnv): Promise<unknown>;
}

/** A zod-like schema: anything with `safeParse` reporting issue paths. */
export interface ConfigSchemaLike {
  safeParse(input: unknown):
    | { readonly success: true }
    | {
        readonly success: false;
        readonly error: { readonly issues: readonly { readonly path: readonly PropertyKey[] }[] };
      };
}

export interface ProviderConformanceOptions<
  Config extends Record<string, unknown> = Record<string, unknown>,
> {
  /** The provider id (`ReconnectionProvider.id`), used in titles and for `ingestWebhook`. */
  readonly providerId: string;
  /**
   * Builds the provider under test for one host. Usually calls the adapter's `registerX(container, config)` and
   * resolves it; a wrong config must throw an error naming the field.
   */
  provider(setup: ProviderSetup<Config>): ReconnectionProvider;
  /** The mock to run against: a starter (started once per suite) or the URL of one already running. */
  readonly mock: MockStarter | { readonly url: string } | string;
  readonly config: {
    /** The adapter's exported config schema. */
    readonly schema: ConfigSchemaLike;
    /** A config that works against the running mock. */
    valid(env: MockEnv): Config;
  };
  /** Values that must never appear in logs or error messages (API secrets, webhook secrets). */
  readonly secrets: readonly string[];
  /** The parsed `fixtures/scenarios/<provider>.json`. */
  readonly catalogue: unknown;
  readonly hooks: ConformanceHooks;
  /** The host callback URL used for reconnects (must match the provider's config where it has one). */
  readonly redirectUri?: string;
}

export const DEFAULT_REDIRECT_URI = 'https://host.example/reconnect/callback';
