import { randomUUID } from 'node:crypto';
import { isoTime } from './clock.js';
import { isReconnectKitError } from './errors.js';
import { eventIdFor } from './event-id.js';
import { redact } from './logger.js';
import { OutboxNotifier } from './notifier.js';
import type { Connection, RegisterConnectionInput } from './service-api.js';
import type { ReconnectAttempts } from './service-attempts.js';
import { requireConnection, type ServiceContext } from './service-context.js';
import type { ConnectionStoreOps, IgnoredSignalReason } from './store/port.js';
import { decideTransition, isTerminalState, type TransitionStep, USER_ACTION_STATES } from './transitions.js';
import type {
  ConnectionEvent,
  ConnectionEventType,
  ConnectionProblem,
  ConnectionState,
  EarlyWarning,
  VendorStatus,
} from './types.js';
import { buildUserNotification, wantsAction } from './user-notification.js';

export type Cause = ConnectionEvent['cause'];

/** A signal to apply: a vendor event, a status read, a classified error, or the service's own step. */
export interface SignalInput {
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
  /** `abandon`: an attempt ended unfinished (`ABANDON_TABLE`); such a step never notifies the user. */
  readonly step?: TransitionStep | undefined;
  /** Extra fields for the events' `data`. */
  readonly eventData?: Readonly<Record<string, unknown>> | undefined;
  /**
   * An early warning that came with the signal (applied after it, see `warn`); `null`: the source shows none, so a
   * standing one is over.
   */
  readonly warning?: EarlyWarning | null | undefined;
}

export interface AnnouncedEvent {
  readonly type: ConnectionEventType;
  readonly data: Readonly<Record<string, unknown>>;
  readonly discriminator: string;
}

export interface ApplyResult {
  readonly connection: Connection;
  readonly status: 'applied' | 'same_state' | 'ignored';
  readonly events: readonly ConnectionEvent[];
  /** Set when the change put the connection in a state where its user must act. */
  readonly needsUser: boolean;
  readonly cause?: Cause;
}

/** Work done after a transaction commits (notifications, dispatcher wake-up). */
export type AfterCommit = () => Promise<void>;

/** What `warn` wrote: the connection as it now is, the events and the notification to run after the commit. */
export interface WarnResult {
  readonly connection: Connection;
  readonly events: readonly ConnectionEvent[];
  readonly after: AfterCommit[];
}

export interface IgnoredEntry {
  readonly provider: string;
  readonly connection: Connection | undefined;
  readonly upstreamId: string;
  readonly eventId: string | undefined;
  readonly vendorType: string | undefined;
  readonly occurredAt: Date | undefined;
  readonly reason: IgnoredSignalReason;
  readonly to: ConnectionState | undefined;
}

/**
 * The one place state changes are written: every change goes through the transition table and is written in
 * one store transaction with its outbox events; notifications run after the commit.
 */
export class TransitionWriter {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly attempts: ReconnectAttempts,
  ) {}

  /**
   * Runs a transaction, retrying it on `store_conflict` (a concurrent writer bumped a version), then runs the
   * after-commit work and wakes the dispatcher.
   */
  async write<T>(fn: (tx: ConnectionStoreOps) => Promise<{ value: T; after?: AfterCommit[] }>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const { value, after = [] } = await this.ctx.store.transaction(fn);
        for (const task of after) await task();
        this.ctx.outbox.wake();
        return value;
      } catch (error) {
        if (!isReconnectKitError(error, 'store_conflict') || attempt >= this.ctx.options.conflictRetries)
          throw error;
        this.ctx.logger.debug('store conflict; retrying', { attempt: attempt + 1 });
      }
    }
  }

  /** Applies one signal to a connection in its own transaction (retried on conflicts), then notifies. */
  async signal(connectionId: string, signal: SignalInput): Promise<Connection> {
    return this.write(async (tx) => {
      const current = await requireConnection(tx, connectionId);
      const applied = await this.apply(tx, current, signal);
      const after = applied.needsUser ? await this.notification(tx, applied.connection, signal.cause) : [];
      if (signal.warning === undefined || applied.status === 'ignored')
        return { value: applied.connection, after };
      const warned = await this.warn(tx, applied.connection, signal.warning, signal.cause);
      return { value: warned.connection, after: [...after, ...warned.after] };
    });
  }

  /** The single place where a signal meets the transition table. */
  async apply(tx: ConnectionStoreOps, current: Connection, signal: SignalInput): Promise<ApplyResult> {
    const { clock, logger } = this.ctx;
    const decision = decideTransition({
      current: current.state,
      signal: signal.state,
      occurredAt: signal.occurredAt,
      lastSignalAt: current.lastSignalAt,
      step: signal.step,
      source: signal.cause.kind === 'status_check' ? 'read' : 'event',
    });
    if (decision.kind === 'ignore') {
      await this.recordIgnored(tx, {
        provider: current.provider,
        connection: current,
        upstreamId: current.upstreamId,
        eventId: signal.eventId,
        vendorType: signal.vendorType,
        occurredAt: signal.occurredAt,
        reason: decision.reason,
        to: decision.to,
      });
      logger.debug('signal ignored', {
        connectionId: current.id,
        reason: decision.reason,
        from: current.state,
        to: decision.to,
      });
      return { connection: current, status: 'ignored', events: [], needsUser: false };
    }
    const at = clock.now();
    const now = isoTime(at);
    const changed = decision.kind === 'apply';
    const next: Connection = {
      ...current,
      state: decision.to,
      vendor: signal.vendor ?? current.vendor,
      problem: problemAfter(current, decision.to, signal.problem),
      metadata: { ...current.metadata, ...signal.metadata },
      lastSignalAt: signal.occurredAt ? signal.occurredAt.toISOString() : current.lastSignalAt,
      updatedAt: now,
      stateChangedAt: changed ? now : current.stateChangedAt,
      version: current.version + 1,
      // A change of state ends the early warning's episode: a later warning is news again.
      warning: changed ? undefined : current.warning,
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
        ? this.event(next, type, signal.cause, {
            from: current.state,
            data: { ...instead.data, version: next.version },
            discriminator: instead.discriminator,
          })
        : this.event(next, type, signal.cause, {
            from: current.state,
            data: { ...signal.eventData, version: next.version },
          }),
    );
    await tx.appendOutbox(events, at);
    logger.info('connection state changed', {
      connectionId: next.id,
      provider: next.provider,
      from: current.state,
      to: next.state,
      cause: signal.cause.kind,
    });
    const needsUser = !instead && signal.step !== 'abandon' && USER_ACTION_STATES.includes(next.state);
    return { connection: next, status: 'applied', events, needsUser, cause: signal.cause };
  }

  /**
   * Takes a `reconnecting` connection back to `to`, the state its attempt started from (an `abandon` step, which
   * never notifies the user), with the problem and the vendor's words from before the flow began when it returns
   * to that problem.
   */
  takeBack(
    tx: ConnectionStoreOps,
    current: Connection,
    to: ConnectionState,
    cause: Cause,
    extra: Pick<SignalInput, 'eventData' | 'instead'>,
  ): Promise<ApplyResult> {
    const problem = current.problem?.state === to ? current.problem : undefined;
    return this.apply(tx, current, {
      state: to,
      problem,
      vendor: problem?.vendor,
      cause,
      step: 'abandon',
      ...extra,
    });
  }

  /**
   * Applies an early warning (see `EarlyWarning`): the state never changes. A warning the connection already has
   * (same code and deadline, in the same episode) changes nothing; a new one, or a new deadline, is stored on the
   * connection, emitted once as `connection.expiring` (with the deadline) and sent to the user through the
   * notifier. `null` ends a standing warning silently. Terminal connections and deadlines already past are left
   * alone (the break itself arrives as a signal).
   */
  async warn(
    tx: ConnectionStoreOps,
    current: Connection,
    warning: EarlyWarning | null,
    cause: Cause,
  ): Promise<WarnResult> {
    const { clock, logger } = this.ctx;
    const unchanged: WarnResult = { connection: current, events: [], after: [] };
    if (isTerminalState(current.state)) return unchanged;
    const now = clock.now();
    if (warning === null) {
      if (current.warning === undefined) return unchanged;
      const cleared: Connection = {
        ...current,
        warning: undefined,
        updatedAt: now.toISOString(),
        version: current.version + 1,
      };
      await tx.updateConnection(cleared, current.version);
      return { connection: cleared, events: [], after: [] };
    }
    const deadline = warning.deadline.toISOString();
    if (warning.deadline.getTime() <= now.getTime()) return unchanged;
    if (current.warning?.code === warning.code && current.warning.deadline === deadline) return unchanged;
    const next: Connection = {
      ...current,
      warning: {
        code: warning.code,
        deadline,
        reason: warning.reason,
        vendor: warning.vendor,
        raisedAt: now.toISOString(),
      },
      updatedAt: now.toISOString(),
      version: current.version + 1,
    };
    await tx.updateConnection(next, current.version);
    const event: ConnectionEvent = {
      ...this.event(next, 'connection.expiring', cause, {
        from: undefined,
        data: { code: warning.code, deadline, reason: warning.reason, version: next.version },
      }),
      vendor: warning.vendor ?? next.vendor,
    };
    await tx.appendOutbox([event], now);
    logger.info('early warning', {
      connectionId: next.id,
      provider: next.provider,
      code: warning.code,
      deadline,
    });
    return { connection: next, events: [event], after: await this.notification(tx, next, cause, warning) };
  }

  async insertConnection(
    tx: ConnectionStoreOps,
    input: RegisterConnectionInput & {
      readonly state: ConnectionState;
      readonly problem?: ConnectionProblem | undefined;
      readonly lastSignalAt?: Date;
    },
    cause: Cause,
  ): Promise<{ connection: Connection; events: ConnectionEvent[] }> {
    const now = this.ctx.clock.now().toISOString();
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
    if (input.secrets) await tx.putSecrets(connection.id, this.ctx.sealSecrets(connection.id, input.secrets));
    const data = input.previousConnectionId
      ? { previousConnectionId: input.previousConnectionId }
      : undefined;
    const events = [this.event(connection, 'connection.state_changed', cause, { from: undefined, data })];
    await tx.appendOutbox(events, this.ctx.clock.now());
    return { connection, events };
  }

  async recordIgnored(tx: ConnectionStoreOps, entry: IgnoredEntry): Promise<void> {
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
      recordedAt: this.ctx.clock.now().toISOString(),
    });
  }

  /** Writes `announced` about `connection` to the outbox without any change of state. */
  async announce(
    tx: ConnectionStoreOps,
    connection: Connection,
    announced: AnnouncedEvent,
    cause: Cause,
  ): Promise<ConnectionEvent> {
    const event = this.event(connection, announced.type, cause, {
      from: undefined,
      discriminator: announced.discriminator,
      data: announced.data,
    });
    await tx.appendOutbox([event], this.ctx.clock.now());
    return event;
  }

  event(
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
      occurredAt: isoTime(this.ctx.clock.now()),
      cause,
      data: extra.data,
    };
  }

  /**
   * Notifies the user about `connection`. The default outbox notifier on this store records the notification in
   * the open transaction (one commit for the change and its notification) unless a reconnect action has to be
   * minted first; any other notifier runs after the commit.
   */
  async notification(
    tx: ConnectionStoreOps,
    connection: Connection,
    cause: Cause,
    warning?: EarlyWarning,
  ): Promise<AfterCommit[]> {
    const { notifier, options, store } = this.ctx;
    // A warning carries no action: the connection still works, and the provider's link (if any) is the user's.
    const withAction = warning === undefined && wantsAction(options.notifications, connection);
    if (notifier instanceof OutboxNotifier && notifier.writesTo(store) && !withAction) {
      const { impact } = this.ctx.provider(connection.provider);
      await notifier.record(
        tx,
        buildUserNotification(options.notifications, connection, cause, undefined, impact, warning),
        connection,
      );
      return [];
    }
    return [() => this.#notifyUser(connection, cause, withAction, warning)];
  }

  /** Runs after commit; a failing notifier is logged and never undoes the change. */
  async #notifyUser(
    connection: Connection,
    cause: Cause,
    withAction: boolean,
    warning: EarlyWarning | undefined,
  ): Promise<void> {
    const { logger, options } = this.ctx;
    try {
      const action = withAction
        ? await this.attempts.mintForNotification(connection).catch((error: unknown) => {
            logger.warn('could not mint a reconnect action for a notification', {
              connectionId: connection.id,
              error: redact(error),
            });
            return undefined;
          })
        : undefined;
      const { impact } = this.ctx.provider(connection.provider);
      await this.ctx.notifier.notify(
        buildUserNotification(options.notifications, connection, cause, action, impact, warning),
      );
    } catch (error) {
      logger.error('notifier failed', { connectionId: connection.id, error: redact(error) });
    }
  }
}

/** Problem states carry the signal's problem; `reconnecting` keeps the problem being fixed; others clear it. */
function problemAfter(
  current: Connection,
  to: ConnectionState,
  problem: ConnectionProblem | undefined,
): ConnectionProblem | undefined {
  if (to === 'reconnecting') return problem ?? current.problem;
  if (to === 'pending' || to === 'connected') return undefined;
  return problem ?? (to === current.state ? current.problem : undefined);
}
