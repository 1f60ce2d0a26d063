import { inject, injectAll, injectable } from 'tsyringe';
import type { Clock } from './clock.js';
import type { Sweeper, SweeperOptions } from './fleet-sweep.js';
import type { ReconnectKitOptions } from './options.js';
import type { Logger, Notifier } from './ports.js';
import type { VendorBudget } from './resilience/vendor-budget.js';
import type { SecretBox } from './secret-box.js';
import type {
  CompleteReconnectionOptions,
  CompletionOutcome,
  Connection,
  ConnectionEventHandler,
  ConnectionPage,
  ExpireReconnectAttemptsOptions,
  ExpireReconnectAttemptsResult,
  IngestResult,
  ListConnectionsQuery,
  PruneHistoryOptions,
  PruneHistoryResult,
  ReconnectionServiceApi,
  RegisterConnectionInput,
  StartReconnectionOptions,
  StartReconnectionResult,
} from './service-api.js';
import { AttemptLifetime, ReconnectAttempts } from './service-attempts.js';
import { ServiceContext } from './service-context.js';
import { SignalIngest } from './service-ingest.js';
import { ConnectionLifecycle } from './service-lifecycle.js';
import { ReconnectFlow } from './service-reconnect.js';
import { TransitionWriter } from './service-transitions.js';
import type { StateTokenSigner } from './state-token.js';
import type { ConnectionStore } from './store/port.js';
import type { SweepOptions, SweepResult } from './sweep.js';
import {
  CLOCK,
  CONNECTION_STORE,
  LOGGER,
  NOTIFIER,
  RECONNECT_KIT_CONFIG,
  RECONNECTION_PROVIDER,
  SECRET_BOX,
  STATE_SIGNER,
  VENDOR_BUDGET,
} from './tokens.js';
import type { CallbackParams, ReconnectionProvider } from './types.js';

/**
 * The orchestrator the host calls: a facade over its verbs. Signals come in through `SignalIngest` (webhooks,
 * reported errors, status reads), the vendor flow runs through `ReconnectFlow` (start, complete), and
 * `ConnectionLifecycle` covers registration, reads, sweeps, revocation, secrets and history. Every state change
 * they make goes through the one `TransitionWriter` (transition table, one transaction with its outbox events,
 * notifications after the commit).
 */
@injectable()
export class ReconnectionService implements ReconnectionServiceApi {
  readonly #ctx: ServiceContext;
  readonly #ingest: SignalIngest;
  readonly #reconnect: ReconnectFlow;
  readonly #lifecycle: ConnectionLifecycle;
  readonly #lifetime: AttemptLifetime;

  constructor(
    @injectAll(RECONNECTION_PROVIDER) providers: ReconnectionProvider[],
    @inject(CONNECTION_STORE) store: ConnectionStore,
    @inject(CLOCK) clock: Clock,
    @inject(SECRET_BOX) secretBox: SecretBox,
    @inject(STATE_SIGNER) stateSigner: StateTokenSigner,
    @inject(NOTIFIER) notifier: Notifier,
    @inject(LOGGER) logger: Logger,
    @inject(RECONNECT_KIT_CONFIG) options: ReconnectKitOptions,
    @inject(VENDOR_BUDGET) budget: VendorBudget,
  ) {
    const ctx = new ServiceContext({
      providers,
      store,
      clock,
      secretBox,
      stateSigner,
      notifier,
      logger,
      options,
      budget,
    });
    const attempts = new ReconnectAttempts(ctx);
    const writer = new TransitionWriter(ctx, attempts);
    const lifetime = new AttemptLifetime(ctx, writer);
    this.#ctx = ctx;
    this.#lifetime = lifetime;
    this.#ingest = new SignalIngest(ctx, writer, lifetime);
    this.#reconnect = new ReconnectFlow(ctx, writer, attempts, lifetime);
    this.#lifecycle = new ConnectionLifecycle(ctx, writer, lifetime);
  }

  // ---- reads and lifecycle -----------------------------------------------------------------------------

  /** The connection as it is now: a `reconnecting` one whose attempt expired is taken back first. */
  getConnection(connectionId: string): Promise<Connection> {
    return this.#lifetime.current(connectionId);
  }

  listConnections(query: ListConnectionsQuery = {}): Promise<ConnectionPage> {
    return this.#lifecycle.listConnections(query);
  }

  /**
   * Registers a connection (state defaults to `connected`). Registering the same live upstream account again for
   * the same host user returns the existing connection unchanged; for another host user it is `invalid_input`.
   */
  registerConnection(input: RegisterConnectionInput): Promise<Connection> {
    return this.#lifecycle.registerConnection(input);
  }

  revoke(connectionId: string): Promise<Connection> {
    return this.#lifecycle.revoke(connectionId);
  }

  /**
   * Re-checks connections with their vendor and applies the answers like `checkStatus`: page by page, with
   * bounded concurrency and a rate limit on the clock; a vendor's 429 pauses the whole sweep. Defaults to the
   * connections that are waiting on something (problem states and `reconnecting`). See `runSweep`.
   */
  sweep(options: SweepOptions = {}): Promise<SweepResult> {
    return this.#lifecycle.sweep(options, (connectionId, beforeVendorCall) =>
      this.#ingest.checkStatus(connectionId, undefined, 'background', beforeVendorCall),
    );
  }

  /**
   * Starts a fleet sweeper: every instance may run one on the same store; each due connection is checked once per
   * `intervalMs` across all of them (leased claims; a dead instance's claims return after the lease). See
   * `startSweeper` in fleet-sweep.ts.
   */
  startSweeper(options: SweeperOptions): Sweeper {
    return this.#lifecycle.startSweeper(options, (connectionId, beforeVendorCall) =>
      this.#ingest.checkStatus(connectionId, undefined, 'background', beforeVendorCall),
    );
  }

  pruneHistory(options: PruneHistoryOptions): Promise<PruneHistoryResult> {
    return this.#lifecycle.pruneHistory(options);
  }

  /** Re-seals every stored secret with the primary key, page by page. Returns how many were re-sealed. */
  rotateSecrets(pageSize = 100): Promise<{ rotated: number; unchanged: number }> {
    return this.#lifecycle.rotateSecrets(pageSize);
  }

  // ---- signals: webhooks, errors, status -------------------------------------------------------------

  ingestWebhook(providerId: string, rawBody: Uint8Array, headers: Headers): Promise<IngestResult> {
    return this.#ingest.ingestWebhook(providerId, rawBody, headers);
  }

  reportError(connectionId: string, error: unknown): Promise<Connection> {
    return this.#ingest.reportError(connectionId, error);
  }

  checkStatus(connectionId: string): Promise<Connection> {
    return this.#ingest.checkStatus(connectionId);
  }

  /** Resolves once every webhook confirmation started so far (and any started meanwhile) has finished. */
  settle(): Promise<void> {
    return this.#ingest.settle();
  }

  // ---- reconnection ------------------------------------------------------------------------------------

  startReconnection(
    connectionId: string,
    options: StartReconnectionOptions = {},
  ): Promise<StartReconnectionResult> {
    return this.#reconnect.start(connectionId, options);
  }

  completeReconnection(
    callback: CallbackParams,
    options: CompleteReconnectionOptions = {},
  ): Promise<CompletionOutcome> {
    return this.#reconnect.complete(callback, options);
  }

  abandonReconnection(state: string, options: CompleteReconnectionOptions = {}): Promise<Connection> {
    return this.#reconnect.abandon(state, options);
  }

  expireReconnectAttempts(
    options: ExpireReconnectAttemptsOptions = {},
  ): Promise<ExpireReconnectAttemptsResult> {
    return this.#lifetime.expireAll(options);
  }

  // ---- outbox delivery ---------------------------------------------------------------------------------

  subscribe(handler: ConnectionEventHandler): () => void {
    return this.#ctx.outbox.subscribe(handler);
  }

  /** Delivers due outbox entries now (at-least-once; see `OutboxDispatcher.deliver`). */
  deliverOutbox(): Promise<number> {
    return this.#ctx.outbox.deliver();
  }

  /**
   * Starts the background loops: outbox delivery every `outbox.pollIntervalMs`, and ending expired reconnect
   * attempts every `attemptExpiryIntervalMs` (clock time).
   */
  startDispatcher(): void {
    this.#ctx.outbox.start();
    this.#lifetime.start();
  }

  /** Stops the background loops and waits for the work in progress to finish. */
  async stopDispatcher(): Promise<void> {
    await Promise.all([this.#ctx.outbox.stop(), this.#lifetime.stop()]);
  }
}
