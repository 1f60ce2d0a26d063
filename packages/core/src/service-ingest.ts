import { redact } from './logger.js';
import type { CallPriority } from './resilience/vendor-budget.js';
import type { Connection, IngestResult } from './service-api.js';
import type { AttemptLifetime } from './service-attempts.js';
import type { ServiceContext } from './service-context.js';
import type { AfterCommit, ApplyResult, TransitionWriter } from './service-transitions.js';
import type { ConnectionStoreOps, IgnoredSignalReason } from './store/port.js';
import { isTerminalState } from './transitions.js';
import type { ConnectionEvent, ConnectionState, ProviderEvent, StatusHint } from './types.js';

/** Signals coming in: vendor webhooks, errors the host reports, status reads. */
export class SignalIngest {
  /** Status reads confirming webhooks, running after their ingest returned (see `settle`). */
  readonly #confirmations = new Set<Promise<void>>();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly writer: TransitionWriter,
    private readonly lifetime: AttemptLifetime,
  ) {}

  async ingestWebhook(providerId: string, rawBody: Uint8Array, headers: Headers): Promise<IngestResult> {
    const { ctx } = this;
    const provider = ctx.provider(providerId);
    const verified = await provider.verifyWebhook(rawBody, headers, ctx.clock.now());
    const providerEvents = provider.parseWebhook(verified);
    const { toConfirm, ...result } = await this.writer.write(async (tx) => {
      const tally = { applied: 0, duplicates: 0, ignored: 0 };
      const events: ConnectionEvent[] = [];
      const after: AfterCommit[] = [];
      // Known connections that hint-only events were about, with what they named; a retried transaction starts afresh.
      const toConfirm = new Map<string, StatusHint>();
      for (const providerEvent of providerEvents) {
        if (!(await tx.recordInboundEvent(providerId, providerEvent.eventId, verified.receivedAt))) {
          tally.duplicates += 1;
          continue;
        }
        const outcome = await this.#ingestOne(tx, providerId, providerEvent);
        tally[outcome.status === 'ignored' ? 'ignored' : 'applied'] += 1;
        events.push(...outcome.events);
        if (providerEvent.confirm === 'status_check' && outcome.connection)
          toConfirm.set(outcome.connection.id, { ref: providerEvent.confirmRef });
        after.push(...outcome.after);
        if (outcome.needsUser && outcome.connection) {
          after.push(
            ...(await this.writer.notification(tx, outcome.connection, {
              kind: 'webhook',
              ref: providerEvent.eventId,
            })),
          );
        }
      }
      return { value: { ...tally, events, toConfirm }, after };
    });
    ctx.logger.info('webhook ingested', {
      provider: providerId,
      applied: result.applied,
      duplicates: result.duplicates,
      ignored: result.ignored,
    });
    if (ctx.options.confirmWebhooks) {
      for (const [connectionId, hint] of toConfirm) this.#confirm(connectionId, hint);
    }
    return result;
  }

  /**
   * Re-reads a connection's status after a hint-only webhook, in the background: the webhook is already stored,
   * so a failing read is logged (without secrets) and never fails the delivery. `settle` waits for these reads.
   */
  #confirm(connectionId: string, hint: StatusHint): void {
    const confirmation = this.checkStatus(connectionId, hint, 'background').then(
      () => undefined,
      (error: unknown) => {
        this.ctx.logger.warn('status check confirming a webhook failed', {
          connectionId,
          error: redact(error),
        });
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
    after: AfterCommit[];
  }> {
    const connection = await tx.findByUpstream(providerId, event.upstreamId);
    const journal = (reason: IgnoredSignalReason, to?: ConnectionState) =>
      this.writer.recordIgnored(tx, {
        provider: providerId,
        connection,
        upstreamId: event.upstreamId,
        eventId: event.eventId,
        vendorType: event.vendorType,
        occurredAt: event.occurredAt,
        reason,
        to,
      });
    const cause = { kind: 'webhook', ref: event.eventId } as const;
    const provider = this.ctx.provider(providerId);
    const signal = connection && provider.signalFor ? provider.signalFor(event, connection) : event.signal;
    if (!signal) {
      // A warning alone (e.g. a vendor announcing a deadline) is applied without any state change.
      const warned =
        event.warning && connection
          ? await this.writer.warn(tx, connection, event.warning, cause)
          : undefined;
      if (warned && warned.events.length > 0) return { status: 'applied', needsUser: false, ...warned };
      await journal('unknown_event');
      return { status: 'ignored', events: [], needsUser: false, connection, after: [] };
    }
    if (!connection) {
      const successor = await this.#registerSuccessor(tx, providerId, event);
      if (successor?.kind === 'registered')
        return { status: 'applied', ...successor, needsUser: false, after: [] };
      await journal(successor ? 'unassigned_successor' : 'unknown_connection', signal.state);
      return { status: 'ignored', events: successor?.events ?? [], needsUser: false, after: [] };
    }
    const applied = await this.writer.apply(tx, connection, {
      ...signal,
      occurredAt: event.occurredAt,
      cause,
      provider: providerId,
      eventId: event.eventId,
      vendorType: event.vendorType,
    });
    if (!event.warning || applied.status === 'ignored') return { ...applied, after: [] };
    const warned = await this.writer.warn(tx, applied.connection, event.warning, cause);
    return { ...applied, ...warned, events: [...applied.events, ...warned.events] };
  }

  /**
   * A vendor event for an unknown upstream id whose parent matches a revoked connection. Where the parent names
   * exactly one host user (`capabilities.parentIsHostUser`, e.g. an Argyle user), that user connected again
   * (revocation makes the vendor create a new account), so a new connection is registered and linked to the
   * revoked one. A shared parent (a Finch company) is no evidence of who connected: the successor is not attached,
   * and the revoked connection gets a `connection.successor_unassigned` event the host can act on (once per
   * upstream id); the host's own connect flow registers it for the right user.
   */
  async #registerSuccessor(
    tx: ConnectionStoreOps,
    providerId: string,
    event: ProviderEvent,
  ): Promise<
    | { kind: 'registered'; events: readonly ConnectionEvent[]; connection: Connection }
    | { kind: 'unassigned'; events: readonly ConnectionEvent[] }
    | undefined
  > {
    const signal = event.signal;
    if (!signal || !event.upstreamParentId || isTerminalState(signal.state)) return undefined;
    const previous = await tx.findLatestByUpstreamParent(providerId, event.upstreamParentId, ['revoked']);
    if (!previous) return undefined;
    if (!this.ctx.provider(providerId).capabilities.parentIsHostUser) {
      const unassigned = await this.writer.announce(
        tx,
        previous,
        {
          type: 'connection.successor_unassigned',
          discriminator: event.upstreamId,
          data: {
            upstreamId: event.upstreamId,
            upstreamParentId: event.upstreamParentId,
            state: signal.state,
          },
        },
        { kind: 'webhook', ref: event.eventId },
      );
      this.ctx.logger.info('new upstream connection after revocation left unassigned', {
        provider: providerId,
        previousConnectionId: previous.id,
      });
      return { kind: 'unassigned', events: [unassigned] };
    }
    const inserted = await this.writer.insertConnection(
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
    this.ctx.logger.info('connection registered after revocation', {
      provider: providerId,
      connectionId: inserted.connection.id,
      previousConnectionId: previous.id,
    });
    return { kind: 'registered', ...inserted };
  }

  async reportError(connectionId: string, error: unknown): Promise<Connection> {
    const connection = await this.lifetime.current(connectionId);
    const problem = this.ctx.provider(connection.provider).classifyError(error);
    if (!problem) return connection;
    return this.writer.signal(connectionId, {
      state: problem.state,
      vendor: problem.vendor,
      problem,
      occurredAt: this.ctx.clock.now(),
      cause: { kind: 'api_error' },
    });
  }

  /**
   * `hint`: what a hint-only webhook named (`ProviderEvent.confirmRef`), passed on to `fetchStatus`; `priority`:
   * the call's place in the fleet's vendor budget; `beforeVendorCall`: awaited right before the vendor call (a
   * sweep's rate limit).
   */
  async checkStatus(
    connectionId: string,
    hint?: StatusHint,
    priority: CallPriority = 'interactive',
    beforeVendorCall?: () => Promise<void>,
  ): Promise<Connection> {
    const { ctx } = this;
    const connection = await this.lifetime.current(connectionId);
    const provider = ctx.provider(connection.provider);
    // Terminal connections accept no signal, so asking the vendor would only spend a request; a provider
    // without status polling has nothing to ask.
    if (isTerminalState(connection.state) || !provider.capabilities.statusPolling) return connection;
    const providerConnection = await ctx.providerConnection(connection);
    await beforeVendorCall?.();
    const status = await ctx.vendorCall(
      provider,
      () =>
        hint?.ref === undefined
          ? provider.fetchStatus(providerConnection)
          : provider.fetchStatus(providerConnection, hint),
      priority,
    );
    return this.writer.signal(connectionId, {
      state: status.state,
      vendor: status.vendor,
      problem: status.problem,
      occurredAt: status.checkedAt,
      cause: { kind: 'status_check' },
      warning: status.warning,
    });
  }
}
