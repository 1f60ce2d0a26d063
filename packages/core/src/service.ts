import { randomUUID } from 'node:crypto';
import { inject, injectAll, injectable } from 'tsyringe';
import type { Clock } from './clock.js';
import { isReconnectKitError, ReconnectKitError } from './errors.js';
import { eventIdFor } from './event-id.js';
import { listConnectionsSchema, pruneHistorySchema, registerConnectionSchema } from './inputs.js';
import { redact } from './logger.js';
import { OutboxNotifier } from './notifier.js';
import type { ReconnectKitOptions } from './options.js';
import { OutboxDispatcher } from './outbox-dispatcher.js';
import type { Logger, Notifier } from './ports.js';
import type { SecretBox } from './secret-box.js';
import type {
  CompletionOutcome,
  Connection,
  ConnectionEventHandler,
  ConnectionPage,
  IngestResult,
  ListConnectionsQuery,
  PruneHistoryOptions,
  PruneHistoryResult,
  ReconnectionServiceApi,
  RegisterConnectionInput,
  StartReconnectionOptions,
  StartReconnectionResult,
} from './service-api.js';
import { StateTokenSigner } from './state-token.js';
import type { ConnectionStore, ConnectionStoreOps, HistoryKind, IgnoredSignalReason } from './store/port.js';
import { runSweep, type SweepOptions, type SweepResult } from './sweep.js';
import {
  CLOCK,
  CONNECTION_STORE,
  LOGGER,
  NOTIFIER,
  RECONNECT_KIT_CONFIG,
  RECONNECTION_PROVIDER,
  SECRET_BOX,
  STATE_SIGNER,
} from './tokens.js';
import { decideTransition, isTerminalState, USER_ACTION_STATES } from './transitions.js';
import type {
  CallbackParams,
  ConnectionEvent,
  ConnectionEventType,
  ConnectionProblem,
  ConnectionState,
  ProviderConnection,
  ProviderEvent,
  ReconnectAction,
  ReconnectionProvider,
  VendorStatus,
} from './types.js';
import { buildUserNotification, wantsAction } from './user-notification.js';
import { parseInput } from './validation.js';

type Cause = ConnectionEvent['cause'];

/** A signal to apply: a vendor event, a status read, a classified error, or the service's own step. */
interface SignalInput {
  readonly state: ConnectionState;
  readonly vendor?: VendorStatus | undefined;
  readonly problem?: ConnectionProblem | undefined;
  /** Vendor time; when given it is checked against and then becomes `lastSignalAt`. */
  readonly occurredAt?: Date | undefined;
  readonly cause: Cause;
  /** Extra fields written with the change (metadata merge on reconnect completion). */
  readonly metadata?: Readonly<Record<string, string>> | undefined;
  readonly provider?: string | undefined;
  readonly eventId?: string | undefined;
  readonly vendorType?: string | undefined;
  /**
   * An event that stands in for the table's specific event (the table still decides whether the step is legal,
   * and `connection.state_changed` is still emitted). Such a step never notifies the user: it reports an outcome
   * the user has just seen in the session (a reconnect that landed on another account).
   */
  readonly instead?: AnnouncedEvent | undefined;
}

interface AnnouncedEvent {
  readonly type: ConnectionEventType;
  readonly data: Readonly<Record<string, unknown>>;
  readonly discriminator: string;
}

interface ApplyResult {
  readonly connection: Connection;
  readonly status: 'applied' | 'same_state' | 'ignored';
  readonly events: readonly ConnectionEvent[];
  /** Set when the change put the connection in a state where its user must act. */
  readonly needsUser: boolean;
  readonly cause?: Cause;
}

/** Work done after a transaction commits (notifications, dispatcher wake-up). */
type AfterCommit = () => Promise<void>;

/** The problem a connection in a problem state is in (a provider that returned none gets a generic one). */
function problemOf(connection: Connection): ConnectionProblem {
  if (connection.problem) return connection.problem;
  const state = connection.state as ConnectionProblem['state'];
  return {
    state,
    vendor: connection.vendor ?? { status: 'unknown' },
    reason: 'The reconnect finished, but the provider reports a problem with the account.',
    fix: state === 'degraded' ? 'wait' : 'reenter_credentials',
  };
}

/**
 * The orchestrator the host calls. Every state change goes through the transition table and is written in
 * one store transaction with its outbox events; notifications run after the commit.
 */
@injectable()
export class ReconnectionService implements ReconnectionServiceApi {
  readonly #providers: ReadonlyMap<string, ReconnectionProvider>;
  readonly #completions = new Map<string, Promise<CompletionOutcome>>();
  /** Status reads confirming webhooks, running after their ingest returned (see `settle`). */
  readonly #confirmations = new Set<Promise<void>>();
  readonly #outbox: OutboxDispatcher;

  constructor(
    @injectAll(RECONNECTION_PROVIDER) providers: ReconnectionProvider[],
    @inject(CONNECTION_STORE) private readonly store: ConnectionStore,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(SECRET_BOX) private readonly secretBox: SecretBox,
    @inject(STATE_SIGNER) private readonly stateSigner: StateTokenSigner,
    @inject(NOTIFIER) private readonly notifier: Notifier,
    @inject(LOGGER) private readonly logger: Logger,
    @inject(RECONNECT_KIT_CONFIG) private readonly options: ReconnectKitOptions,
  ) {
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
    this.#outbox = new OutboxDispatcher(store, clock, logger, options.outbox);
  }

  // ---- reads -------------------------------------------------------------------------------------------

  async getConnection(connectionId: string): Promise<Connection> {
    const connection = await this.store.getConnection(connectionId);
    if (!connection) throw new ReconnectKitError('connection_not_found', { details: { connectionId } });
    return connection;
  }

  async listConnections(query: ListConnectionsQuery = {}): Promise<ConnectionPage> {
    return this.store.listConnections(parseInput(listConnectionsSchema, query));
  }

  // ---- registration ------------------------------------------------------------------------------------

  /**
   * Registers a connection (state defaults to `connected`). Registering the same live upstream account again for
   * the same host user returns the existing connection unchanged; for another host user it is `invalid_input`.
   */
  async registerConnection(raw: RegisterConnectionInput): Promise<Connection> {
    const input = parseInput(registerConnectionSchema, raw);
    this.#provider(input.provider);
    const state = input.state ?? 'connected';
    return this.#write(async (tx) => {
      const existing = await tx.findByUpstream(input.provider, input.upstreamId);
      if (existing && !isTerminalState(existing.state)) {
        if (existing.hostUserId === input.hostUserId) return { value: existing };
        throw new ReconnectKitError('invalid_input', {
          message: 'This upstream connection is registered to another host user.',
          details: { connectionId: existing.id, field: 'upstreamId' },
        });
      }
      const inserted = await this.#insertConnection(tx, { ...input, state }, { kind: 'register' });
      return { value: inserted.connection };
    });
  }

  async #insertConnection(
    tx: ConnectionStoreOps,
    input: RegisterConnectionInput & {
      readonly state: ConnectionState;
      readonly problem?: ConnectionProblem | undefined;
      readonly lastSignalAt?: Date;
    },
    cause: Cause,
  ): Promise<{ connection: Connection; events: ConnectionEvent[] }> {
    const now = this.clock.now().toISOString();
    const connection: Connection = {
      id: `conn_${randomUUID()}`,
      provider: input.provider,
      hostUserId: input.hostUserId,
      upstreamId: input.upstreamId,
      upstreamParentId: input.upstreamParentId,
      metadata: { ...input.metadata },
      state: input.state,
      vendor: input.vendor,
      problem: input.problem,
      previousConnectionId: input.previousConnectionId,
      createdAt: now,
      updatedAt: now,
      stateChangedAt: now,
      lastSignalAt: input.lastSignalAt?.toISOString(),
      version: 1,
    };
    await tx.insertConnection(connection);
    if (input.secrets) await tx.putSecrets(connection.id, this.#sealSecrets(connection.id, input.secrets));
    const data = input.previousConnectionId
      ? { previousConnectionId: input.previousConnectionId }
      : undefined;
    const events = [this.#event(connection, 'connection.state_changed', cause, { from: undefined, data })];
    await tx.appendOutbox(events, this.clock.now());
    return { connection, events };
  }

  // ---- signals: webhooks, errors, status -------------------------------------------------------------

  async ingestWebhook(providerId: string, rawBody: Uint8Array, headers: Headers): Promise<IngestResult> {
    const provider = this.#provider(providerId);
    const verified = provider.verifyWebhook(rawBody, headers, this.clock.now());
    const providerEvents = provider.parseWebhook(verified);
    const { toConfirm, ...result } = await this.#write(async (tx) => {
      const tally = { applied: 0, duplicates: 0, ignored: 0 };
      const events: ConnectionEvent[] = [];
      const after: AfterCommit[] = [];
      // Ids of known connections that hint-only events were about; a retried transaction starts afresh.
      const toConfirm = new Set<string>();
      for (const providerEvent of providerEvents) {
        if (!(await tx.recordInboundEvent(providerId, providerEvent.eventId, verified.receivedAt))) {
          tally.duplicates += 1;
          continue;
        }
        const outcome = await this.#ingestOne(tx, providerId, providerEvent);
        tally[outcome.status === 'ignored' ? 'ignored' : 'applied'] += 1;
        events.push(...outcome.events);
        if (providerEvent.confirm === 'status_check' && outcome.connection)
          toConfirm.add(outcome.connection.id);
        if (outcome.needsUser && outcome.connection) {
          after.push(
            ...(await this.#notification(tx, outcome.connection, {
              kind: 'webhook',
              ref: providerEvent.eventId,
            })),
          );
        }
      }
      return { value: { ...tally, events, toConfirm }, after };
    });
    this.logger.info('webhook ingested', {
      provider: providerId,
      applied: result.applied,
      duplicates: result.duplicates,
      ignored: result.ignored,
    });
    if (this.options.confirmWebhooks) for (const connectionId of toConfirm) this.#confirm(connectionId);
    return result;
  }

  /**
   * Re-reads a connection's status after a hint-only webhook, in the background: the webhook is already stored,
   * so a failing read is logged (without secrets) and never fails the delivery. `settle` waits for these reads.
   */
  #confirm(connectionId: string): void {
    const confirmation = this.checkStatus(connectionId).then(
      () => undefined,
      (error: unknown) => {
        this.logger.warn('status check confirming a webhook failed', { connectionId, error: redact(error) });
      },
    );
    this.#confirmations.add(confirmation);
    void confirmation.finally(() => this.#confirmations.delete(confirmation));
  }

  /** Resolves once every webhook confirmation started so far (and any started meanwhile) has finished. */
  async settle(): Promise<void> {
    while (this.#confirmations.size > 0) await Promise.all(this.#confirmations);
  }

  async #ingestOne(
    tx: ConnectionStoreOps,
    providerId: string,
    event: ProviderEvent,
  ): Promise<{
    status: ApplyResult['status'];
    events: readonly ConnectionEvent[];
    needsUser: boolean;
    connection?: Connection;
  }> {
    const connection = await tx.findByUpstream(providerId, event.upstreamId);
    const journal = (reason: IgnoredSignalReason, to?: ConnectionState) =>
      this.#recordIgnored(tx, {
        provider: providerId,
        connection,
        upstreamId: event.upstreamId,
        eventId: event.eventId,
        vendorType: event.vendorType,
        occurredAt: event.occurredAt,
        reason,
        to,
      });
    if (!event.signal) {
      await journal('unknown_event');
      return { status: 'ignored', events: [], needsUser: false, connection };
    }
    const signal = event.signal;
    if (!connection) {
      const successor = await this.#registerSuccessor(tx, providerId, event);
      if (successor) return { status: 'applied', ...successor, needsUser: false };
      await journal('unknown_connection', signal.state);
      return { status: 'ignored', events: [], needsUser: false };
    }
    const applied = await this.#apply(tx, connection, {
      ...signal,
      occurredAt: event.occurredAt,
      cause: { kind: 'webhook', ref: event.eventId },
      provider: providerId,
      eventId: event.eventId,
      vendorType: event.vendorType,
    });
    return applied;
  }

  /**
   * A vendor event for an unknown upstream id whose parent matches a revoked connection: the same host user
   * connected again (revocation makes the vendor create a new account), so a new connection is registered and
   * linked to the revoked one.
   */
  async #registerSuccessor(
    tx: ConnectionStoreOps,
    providerId: string,
    event: ProviderEvent,
  ): Promise<{ events: readonly ConnectionEvent[]; connection: Connection } | undefined> {
    const signal = event.signal;
    if (!signal || !event.upstreamParentId || isTerminalState(signal.state)) return undefined;
    const previous = await tx.findLatestByUpstreamParent(providerId, event.upstreamParentId, ['revoked']);
    if (!previous) return undefined;
    const inserted = await this.#insertConnection(
      tx,
      {
        provider: providerId,
        hostUserId: previous.hostUserId,
        upstreamId: event.upstreamId,
        upstreamParentId: event.upstreamParentId,
        state: signal.state === 'reconnecting' ? 'pending' : signal.state,
        vendor: signal.vendor,
        problem: signal.problem,
        metadata: previous.metadata,
        previousConnectionId: previous.id,
        lastSignalAt: event.occurredAt,
      },
      { kind: 'webhook', ref: event.eventId },
    );
    this.logger.info('connection registered after revocation', {
      provider: providerId,
      connectionId: inserted.connection.id,
      previousConnectionId: previous.id,
    });
    return inserted;
  }

  async reportError(connectionId: string, error: unknown): Promise<Connection> {
    const connection = await this.getConnection(connectionId);
    const problem = this.#provider(connection.provider).classifyError(error);
    if (!problem) return connection;
    return this.#signal(connectionId, {
      state: problem.state,
      vendor: problem.vendor,
      problem,
      occurredAt: this.clock.now(),
      cause: { kind: 'api_error' },
    });
  }

  async checkStatus(connectionId: string): Promise<Connection> {
    const connection = await this.getConnection(connectionId);
    const provider = this.#provider(connection.provider);
    // Terminal connections accept no signal, so asking the vendor would only spend a request; a provider
    // without status polling has nothing to ask.
    if (isTerminalState(connection.state) || !provider.capabilities.statusPolling) return connection;
    const providerConnection = await this.#providerConnection(connection);
    const status = await this.#vendorCall(provider, () => provider.fetchStatus(providerConnection));
    return this.#signal(connectionId, {
      state: status.state,
      vendor: status.vendor,
      problem: status.problem,
      occurredAt: status.checkedAt,
      cause: { kind: 'status_check' },
    });
  }

  /**
   * Re-checks connections with their vendor and applies the answers like `checkStatus`: page by page, with
   * bounded concurrency and a rate limit on the clock; a vendor's 429 pauses the whole sweep. Defaults to the
   * connections that are waiting on something (problem states and `reconnecting`). See `runSweep`.
   */
  sweep(options: SweepOptions = {}): Promise<SweepResult> {
    return runSweep(
      {
        clock: this.clock,
        logger: this.logger,
        listConnections: (query) => this.listConnections(query),
        checkStatus: (connectionId) => this.checkStatus(connectionId),
        canPollStatus: (providerId) => this.#provider(providerId).capabilities.statusPolling,
      },
      options,
    );
  }

  async pruneHistory(raw: PruneHistoryOptions): Promise<PruneHistoryResult> {
    const options = parseInput(pruneHistorySchema, raw);
    const batchSize = options.batchSize ?? 1_000;
    const now = this.clock.now().getTime();
    const prune = async (kind: HistoryKind, olderThanMs: number | undefined): Promise<number> => {
      if (olderThanMs === undefined) return 0;
      const before = new Date(now - olderThanMs);
      let total = 0;
      for (;;) {
        const deleted = await this.store.pruneHistory(kind, before, batchSize);
        total += deleted;
        if (deleted < batchSize) return total;
      }
    };
    const result: PruneHistoryResult = {
      deliveredEvents: await prune('delivered_events', options.deliveredEventsOlderThanMs),
      inboundEvents: await prune('inbound_events', options.inboundEventsOlderThanMs),
      ignoredSignals: await prune('ignored_signals', options.ignoredSignalsOlderThanMs),
    };
    this.logger.info('history pruned', { ...result });
    return result;
  }

  /** Applies one signal to a connection in its own transaction (retried on conflicts), then notifies. */
  async #signal(connectionId: string, signal: SignalInput): Promise<Connection> {
    return this.#write(async (tx) => {
      const current = await tx.getConnection(connectionId);
      if (!current) throw new ReconnectKitError('connection_not_found', { details: { connectionId } });
      const applied = await this.#apply(tx, current, signal);
      const after = applied.needsUser ? await this.#notification(tx, applied.connection, signal.cause) : [];
      return { value: applied.connection, after };
    });
  }

  /** The single place where a signal meets the transition table. */
  async #apply(tx: ConnectionStoreOps, current: Connection, signal: SignalInput): Promise<ApplyResult> {
    const decision = decideTransition({
      current: current.state,
      signal: signal.state,
      occurredAt: signal.occurredAt,
      lastSignalAt: current.lastSignalAt,
    });
    if (decision.kind === 'ignore') {
      await this.#recordIgnored(tx, {
        provider: current.provider,
        connection: current,
        upstreamId: current.upstreamId,
        eventId: signal.eventId,
        vendorType: signal.vendorType,
        occurredAt: signal.occurredAt,
        reason: decision.reason,
        to: decision.to,
      });
      this.logger.debug('signal ignored', {
        connectionId: current.id,
        reason: decision.reason,
        from: current.state,
        to: decision.to,
      });
      return { connection: current, status: 'ignored', events: [], needsUser: false };
    }
    const now = this.clock.now().toISOString();
    const changed = decision.kind === 'apply';
    const next: Connection = {
      ...current,
      state: decision.to,
      vendor: signal.vendor ?? current.vendor,
      problem: this.#problemAfter(current, decision.to, signal.problem),
      metadata: { ...current.metadata, ...signal.metadata },
      lastSignalAt: signal.occurredAt ? signal.occurredAt.toISOString() : current.lastSignalAt,
      updatedAt: now,
      stateChangedAt: changed ? now : current.stateChangedAt,
      version: current.version + 1,
    };
    await tx.updateConnection(next, current.version);
    if (isTerminalState(next.state)) await tx.deleteSecrets(next.id);
    if (decision.kind === 'same_state') {
      return { connection: next, status: 'same_state', events: [], needsUser: false };
    }
    const instead = signal.instead;
    const types: readonly ConnectionEventType[] = instead
      ? [instead.type, 'connection.state_changed']
      : decision.events;
    const events = types.map((type) =>
      type === instead?.type
        ? this.#event(next, type, signal.cause, {
            from: current.state,
            data: { ...instead.data, version: next.version },
            discriminator: instead.discriminator,
          })
        : this.#event(next, type, signal.cause, { from: current.state, data: { version: next.version } }),
    );
    await tx.appendOutbox(events, this.clock.now());
    this.logger.info('connection state changed', {
      connectionId: next.id,
      provider: next.provider,
      from: current.state,
      to: next.state,
      cause: signal.cause.kind,
    });
    const needsUser = !instead && USER_ACTION_STATES.includes(next.state);
    return { connection: next, status: 'applied', events, needsUser, cause: signal.cause };
  }

  /** Problem states carry the signal's problem; `reconnecting` keeps the problem being fixed; others clear it. */
  #problemAfter(
    current: Connection,
    to: ConnectionState,
    problem: ConnectionProblem | undefined,
  ): ConnectionProblem | undefined {
    if (to === 'reconnecting') return problem ?? current.problem;
    if (to === 'pending' || to === 'connected') return undefined;
    return problem ?? (to === current.state ? current.problem : undefined);
  }

  async #recordIgnored(
    tx: ConnectionStoreOps,
    entry: {
      provider: string;
      connection: Connection | undefined;
      upstreamId: string;
      eventId: string | undefined;
      vendorType: string | undefined;
      occurredAt: Date | undefined;
      reason: IgnoredSignalReason;
      to: ConnectionState | undefined;
    },
  ): Promise<void> {
    await tx.recordIgnoredSignal({
      id: `ign_${randomUUID()}`,
      provider: entry.provider,
      connectionId: entry.connection?.id,
      upstreamId: entry.upstreamId,
      eventId: entry.eventId,
      vendorType: entry.vendorType,
      reason: entry.reason,
      from: entry.connection?.state,
      to: entry.to,
      occurredAt: entry.occurredAt?.toISOString(),
      recordedAt: this.clock.now().toISOString(),
    });
  }

  // ---- reconnection ------------------------------------------------------------------------------------

  async startReconnection(
    connectionId: string,
    options: StartReconnectionOptions = {},
  ): Promise<StartReconnectionResult> {
    const connection = await this.getConnection(connectionId);
    if (isTerminalState(connection.state)) {
      throw new ReconnectKitError('connection_terminal', {
        details: { connectionId, state: connection.state },
      });
    }
    const action = await this.#mintAction(connection, options.redirectUri);
    const updated = await this.#signal(connectionId, {
      state: 'reconnecting',
      cause: { kind: 'reconnect', ref: action.nonce },
    });
    if (updated.state !== 'reconnecting') {
      // The connection became terminal between the read and the write.
      throw new ReconnectKitError('connection_terminal', { details: { connectionId, state: updated.state } });
    }
    return { connection: updated, action: action.action };
  }

  /** Mints a signed state bound to a new attempt and asks the provider for the user's way back in. */
  async #mintAction(
    connection: Connection,
    redirectUri: string | undefined,
  ): Promise<{ action: ReconnectAction; nonce: string }> {
    const provider = this.#provider(connection.provider);
    const now = this.clock.now();
    const nonce = StateTokenSigner.newNonce();
    const expiresAt = new Date(now.getTime() + this.options.stateTtlMs);
    const state = this.stateSigner.sign({
      connectionId: connection.id,
      provider: connection.provider,
      nonce,
      expiresAt,
    });
    const providerConnection = await this.#providerConnection(connection);
    const action = await this.#vendorCall(provider, () =>
      provider.startReconnection(providerConnection, { state, expiresAt, redirectUri, now }),
    );
    await this.store.insertReconnectAttempt({
      nonce,
      connectionId: connection.id,
      provider: connection.provider,
      createdAt: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
    });
    return { action, nonce };
  }

  completeReconnection(callback: CallbackParams): Promise<CompletionOutcome> {
    if (typeof callback?.state !== 'string') {
      return Promise.reject(new ReconnectKitError('state_invalid'));
    }
    let claims: ReturnType<StateTokenSigner['verify']>;
    try {
      claims = this.stateSigner.verify(callback.state, this.clock.now());
    } catch (error) {
      return Promise.reject(error);
    }
    // In-process callers share one promise; across processes the connection lock + stored outcome do the job.
    const running = this.#completions.get(claims.nonce);
    if (running) return running;
    const completion = this.store
      .withConnectionLock(claims.connectionId, () => this.#complete(claims, callback))
      .finally(() => this.#completions.delete(claims.nonce));
    this.#completions.set(claims.nonce, completion);
    return completion;
  }

  async #complete(
    claims: ReturnType<StateTokenSigner['verify']>,
    callback: CallbackParams,
  ): Promise<CompletionOutcome> {
    const attempt = await this.store.getReconnectAttempt(claims.nonce);
    if (!attempt || attempt.connectionId !== claims.connectionId || attempt.provider !== claims.provider) {
      throw new ReconnectKitError('state_invalid', { details: { connectionId: claims.connectionId } });
    }
    if (attempt.outcome) return attempt.outcome;
    const connection = await this.getConnection(claims.connectionId);
    if (isTerminalState(connection.state)) {
      throw new ReconnectKitError('connection_terminal', {
        details: { connectionId: connection.id, state: connection.state },
      });
    }
    const provider = this.#provider(connection.provider);
    const providerConnection = await this.#providerConnection(connection);
    const result = await this.#vendorCall(provider, () =>
      provider.completeReconnection(providerConnection, callback),
    );
    const cause: Cause = { kind: 'reconnect', ref: claims.nonce };

    if (result.outcome === 'pending') {
      const pending = await this.#signal(connection.id, { state: 'reconnecting', cause });
      return { outcome: 'pending', connection: pending };
    }
    if (result.outcome === 'failed') {
      return this.#finishAttempt(claims.nonce, connection.id, async (tx, current) => {
        const applied = await this.#apply(tx, current, {
          state: result.problem.state,
          vendor: result.problem.vendor,
          problem: result.problem,
          occurredAt: this.clock.now(),
          cause,
        });
        return { outcome: 'failed', connection: applied.connection, problem: result.problem, applied };
      });
    }
    const expected = { upstreamId: connection.upstreamId, upstreamParentId: connection.upstreamParentId };
    const actual = { upstreamId: result.upstreamId, upstreamParentId: result.upstreamParentId };
    const parentMismatch =
      expected.upstreamParentId !== undefined &&
      actual.upstreamParentId !== undefined &&
      expected.upstreamParentId !== actual.upstreamParentId;
    if (expected.upstreamId !== actual.upstreamId || parentMismatch) {
      this.logger.warn('reconnect landed on another account', { connectionId: connection.id });
      return this.#finishAttempt(claims.nonce, connection.id, async (tx, current) => {
        const mismatch: AnnouncedEvent = {
          type: 'connection.account_mismatch',
          data: { expected, actual },
          discriminator: claims.nonce,
        };
        // Back to the problem the reconnect was fixing, so the user can try again; ids, secrets and vendor
        // status stay as they were (nothing from the other account is stored).
        if (current.state === 'reconnecting' && current.problem) {
          const restored = await this.#apply(tx, current, {
            state: current.problem.state,
            problem: current.problem,
            cause,
            instead: mismatch,
          });
          return { outcome: 'account_mismatch', connection: restored.connection, expected, actual };
        }
        // Reconnects started from `connected`/`pending` have no problem to go back to; a webhook may also have
        // moved the connection meanwhile. The connection is left as it is.
        const event = this.#event(current, mismatch.type, cause, {
          from: undefined,
          discriminator: mismatch.discriminator,
          data: mismatch.data,
        });
        await tx.appendOutbox([event], this.clock.now());
        return { outcome: 'account_mismatch', connection: current, expected, actual };
      });
    }
    return this.#finishAttempt(claims.nonce, connection.id, async (tx, current) => {
      // Revoked upstream while the user was in the vendor flow: store nothing (the transaction rolls back).
      if (isTerminalState(current.state)) {
        throw new ReconnectKitError('connection_terminal', {
          details: { connectionId: current.id, state: current.state },
        });
      }
      if (result.secrets) await tx.putSecrets(current.id, this.#sealSecrets(current.id, result.secrets));
      const applied = await this.#apply(tx, current, {
        state: result.state,
        vendor: result.vendor,
        occurredAt: this.clock.now(),
        metadata: result.metadata,
        cause,
      });
      const reached = applied.connection;
      if (reached.state === 'connected') return { outcome: 'recovered', connection: reached, applied };
      if (reached.state === 'pending' || reached.state === 'reconnecting') {
        return { outcome: 'pending', connection: reached, applied };
      }
      return { outcome: 'failed', connection: reached, problem: problemOf(reached), applied };
    });
  }

  /** Writes a completion and stores its outcome on the attempt in the same transaction (final outcomes only). */
  async #finishAttempt(
    nonce: string,
    connectionId: string,
    write: (
      tx: ConnectionStoreOps,
      current: Connection,
    ) => Promise<CompletionOutcome & { readonly applied?: ApplyResult }>,
  ): Promise<CompletionOutcome> {
    return this.#write(async (tx) => {
      const current = await tx.getConnection(connectionId);
      if (!current) throw new ReconnectKitError('connection_not_found', { details: { connectionId } });
      const { applied, ...outcome } = await write(tx, current);
      if (outcome.outcome !== 'pending') await tx.completeReconnectAttempt(nonce, outcome, this.clock.now());
      const after = applied?.needsUser
        ? await this.#notification(tx, applied.connection, { kind: 'reconnect', ref: nonce })
        : [];
      return { value: outcome, after };
    });
  }

  async revoke(connectionId: string): Promise<Connection> {
    const connection = await this.getConnection(connectionId);
    // Revoking twice is a no-op: the first call already removed upstream access (or the vendor did).
    if (isTerminalState(connection.state)) return connection;
    const provider = this.#provider(connection.provider);
    // Without upstream revocation the host can still stop using the connection: it is disconnected locally.
    if (provider.capabilities.revocation) {
      const providerConnection = await this.#providerConnection(connection);
      await this.#vendorCall(provider, () => provider.revoke(providerConnection));
    }
    return this.#signal(connectionId, { state: 'disconnected', cause: { kind: 'revoke' } });
  }

  // ---- secrets -----------------------------------------------------------------------------------------

  /** Re-seals every stored secret with the primary key, page by page. Returns how many were re-sealed. */
  async rotateSecrets(pageSize = 100): Promise<{ rotated: number; unchanged: number }> {
    let after: string | undefined;
    const counts = { rotated: 0, unchanged: 0 };
    for (;;) {
      const page = await this.store.listSecrets(after, pageSize);
      for (const row of page) {
        const next = this.secretBox.rotate(row.sealed, row.connectionId);
        // Compare-and-set: a completion that stored new secrets meanwhile already used the primary key.
        const changed =
          next !== row.sealed && (await this.store.replaceSecrets(row.connectionId, row.sealed, next));
        counts[changed ? 'rotated' : 'unchanged'] += 1;
      }
      if (page.length < pageSize) return counts;
      after = page.at(-1)?.connectionId;
    }
  }

  #sealSecrets(connectionId: string, secrets: Readonly<Record<string, string>>): string {
    return this.secretBox.seal(JSON.stringify(secrets), connectionId);
  }

  /** The only place secrets are decrypted: to hand the provider its connection. `secrets` is non-enumerable. */
  async #providerConnection(connection: Connection): Promise<ProviderConnection> {
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

  // ---- notifications -----------------------------------------------------------------------------------

  /**
   * Notifies the user about `connection`. The default outbox notifier on this store records the notification in
   * the open transaction (one commit for the change and its notification) unless a reconnect action has to be
   * minted first; any other notifier runs after the commit.
   */
  async #notification(tx: ConnectionStoreOps, connection: Connection, cause: Cause): Promise<AfterCommit[]> {
    const notifier = this.notifier;
    if (
      notifier instanceof OutboxNotifier &&
      notifier.writesTo(this.store) &&
      !wantsAction(this.options.notifications, connection)
    ) {
      const { impact } = this.#provider(connection.provider);
      await notifier.record(
        tx,
        buildUserNotification(this.options.notifications, connection, cause, undefined, impact),
        connection,
      );
      return [];
    }
    return [() => this.#notifyUser(connection, cause)];
  }

  /** Runs after commit; a failing notifier is logged and never undoes the change. */
  async #notifyUser(connection: Connection, cause: Cause): Promise<void> {
    try {
      const action = wantsAction(this.options.notifications, connection)
        ? await this.#mintAction(connection, undefined).then(
            (minted) => minted.action,
            (error: unknown) => {
              this.logger.warn('could not mint a reconnect action for a notification', {
                connectionId: connection.id,
                error: redact(error),
              });
              return undefined;
            },
          )
        : undefined;
      const { impact } = this.#provider(connection.provider);
      await this.notifier.notify(
        buildUserNotification(this.options.notifications, connection, cause, action, impact),
      );
    } catch (error) {
      this.logger.error('notifier failed', { connectionId: connection.id, error: redact(error) });
    }
  }

  // ---- outbox delivery ---------------------------------------------------------------------------------

  subscribe(handler: ConnectionEventHandler): () => void {
    return this.#outbox.subscribe(handler);
  }

  /** Delivers due outbox entries now (at-least-once; see `OutboxDispatcher.deliver`). */
  deliverOutbox(): Promise<number> {
    return this.#outbox.deliver();
  }

  /** Starts a background loop that delivers the outbox every `outbox.pollIntervalMs` (clock time). */
  startDispatcher(): void {
    this.#outbox.start();
  }

  /** Stops the background loop and waits for the current delivery to finish. */
  async stopDispatcher(): Promise<void> {
    await this.#outbox.stop();
  }

  // ---- plumbing ----------------------------------------------------------------------------------------

  #provider(providerId: string): ReconnectionProvider {
    const provider = this.#providers.get(providerId);
    if (!provider)
      throw new ReconnectKitError('provider_not_registered', { details: { provider: providerId } });
    return provider;
  }

  /**
   * Calls the provider. Errors that are not ReconnectKitErrors (vendor SDK errors, whose messages may quote
   * tokens) are wrapped as `upstream_error`, keeping the original only as `cause`.
   */
  async #vendorCall<T>(provider: ReconnectionProvider, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (isReconnectKitError(error)) throw error;
      throw new ReconnectKitError('upstream_error', { cause: error, details: { provider: provider.id } });
    }
  }

  #event(
    connection: Connection,
    type: ConnectionEvent['type'],
    cause: Cause,
    extra: {
      from: ConnectionState | undefined;
      data?: Readonly<Record<string, unknown>> | undefined;
      discriminator?: string;
    },
  ): ConnectionEvent {
    return {
      id: eventIdFor(connection, type, extra.discriminator),
      type,
      connectionId: connection.id,
      provider: connection.provider,
      hostUserId: connection.hostUserId,
      from: extra.from,
      to: connection.state,
      vendor: connection.vendor,
      problem: connection.problem,
      occurredAt: this.clock.now().toISOString(),
      cause,
      data: extra.data,
    };
  }

  /**
   * Runs a transaction, retrying it on `store_conflict` (a concurrent writer bumped a version), then runs the
   * after-commit work and wakes the dispatcher.
   */
  async #write<T>(fn: (tx: ConnectionStoreOps) => Promise<{ value: T; after?: AfterCommit[] }>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const { value, after = [] } = await this.store.transaction(fn);
        for (const task of after) await task();
        this.#outbox.wake();
        return value;
      } catch (error) {
        if (!isReconnectKitError(error, 'store_conflict') || attempt >= this.options.conflictRetries)
          throw error;
        this.logger.debug('store conflict; retrying', { attempt: attempt + 1 });
      }
    }
  }
}
