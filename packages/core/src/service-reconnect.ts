import { ReconnectKitError } from './errors.js';
import type {
  CompleteReconnectionOptions,
  CompletionOutcome,
  Connection,
  StartReconnectionOptions,
  StartReconnectionResult,
} from './service-api.js';
import type { AttemptLifetime, ReconnectAttempts } from './service-attempts.js';
import { requireConnection, type ServiceContext } from './service-context.js';
import type { AnnouncedEvent, ApplyResult, Cause, TransitionWriter } from './service-transitions.js';
import type { StateTokenSigner } from './state-token.js';
import type { ConnectionStoreOps, ReconnectAttempt } from './store/port.js';
import { isTerminalState } from './transitions.js';
import type { CallbackParams, ConnectionProblem } from './types.js';

type StateClaims = ReturnType<StateTokenSigner['verify']>;

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

/** The `failed` outcome's problem when a refused completion leaves a connection that had none (started healthy). */
function unconfirmedProblem(connection: Connection): ConnectionProblem {
  return {
    state: 'needs_reauth',
    vendor: connection.vendor ?? { status: 'unknown' },
    reason: 'The reconnect could not be confirmed with the provider. Please start it again.',
    fix: 'reenter_credentials',
  };
}

/** Sending the user back through the vendor's flow (start) and applying what they came back with (complete). */
export class ReconnectFlow {
  readonly #completions = new Map<string, Promise<CompletionOutcome>>();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly writer: TransitionWriter,
    private readonly attempts: ReconnectAttempts,
    private readonly lifetime: AttemptLifetime,
  ) {}

  async start(
    connectionId: string,
    options: StartReconnectionOptions = {},
  ): Promise<StartReconnectionResult> {
    const { ctx, writer } = this;
    const connection = await this.lifetime.current(connectionId);
    if (isTerminalState(connection.state)) {
      throw new ReconnectKitError('connection_terminal', {
        details: { connectionId, state: connection.state },
      });
    }
    const { action, attempt } = await this.attempts.mint(connection, options);
    const cause: Cause = { kind: 'reconnect', ref: attempt.nonce };
    // The attempt, the states it supersedes and the move to `reconnecting` commit together.
    const updated = await writer.write(async (tx) => {
      const current = await requireConnection(tx, connectionId);
      const returnTo = await this.attempts.returnTo(tx, current);
      const applied = await writer.apply(tx, current, { state: 'reconnecting', cause });
      if (applied.connection.state !== 'reconnecting') {
        // The connection became terminal between the read and the write.
        throw new ReconnectKitError('connection_terminal', {
          details: { connectionId, state: applied.connection.state },
        });
      }
      await tx.insertReconnectAttempt({ ...attempt, returnTo });
      await tx.supersedeReconnectAttempts(connectionId, attempt.nonce, ctx.clock.now());
      // A link the user may open much later: its deadline is an early warning (see ReconnectAction.warning).
      if (action.warning === undefined) return { value: applied.connection };
      const warned = await writer.warn(tx, applied.connection, action.warning, cause);
      return { value: warned.connection, after: warned.after };
    });
    return { connection: updated, action };
  }

  complete(callback: CallbackParams, options: CompleteReconnectionOptions = {}): Promise<CompletionOutcome> {
    let claims: StateClaims;
    try {
      claims = this.#claims(callback?.state, options);
    } catch (error) {
      return Promise.reject(error);
    }
    // In-process callers share one promise; across processes the connection lock + stored outcome do the job.
    const running = this.#completions.get(claims.nonce);
    if (running) return running;
    const completion = this.ctx.store
      .withConnectionLock(claims.connectionId, () => this.#complete(claims, callback))
      .finally(() => this.#completions.delete(claims.nonce));
    this.#completions.set(claims.nonce, completion);
    return completion;
  }

  /**
   * The user left the vendor's flow (its widget reported closing): the attempt ends now, and the connection goes
   * back as if the attempt had expired. Serialised with completions by the connection lock.
   */
  abandon(state: string, options: CompleteReconnectionOptions = {}): Promise<Connection> {
    let claims: StateClaims;
    try {
      claims = this.#claims(state, options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.ctx.store.withConnectionLock(claims.connectionId, async () => {
      await this.lifetime.end(await this.#openAttempt(claims), 'abandoned');
      return this.ctx.getConnection(claims.connectionId);
    });
  }

  /** Verifies a state, then its session binding: another session learns nothing about the attempt. */
  #claims(state: unknown, options: CompleteReconnectionOptions): StateClaims {
    if (typeof state !== 'string') throw new ReconnectKitError('state_invalid');
    const claims = this.ctx.stateSigner.verify(state, this.ctx.clock.now());
    this.ctx.stateSigner.checkSession(claims, options.sessionBinding);
    return claims;
  }

  /** The attempt a verified state names, as long as it is open (neither completed nor ended). */
  async #openAttempt(claims: StateClaims): Promise<ReconnectAttempt> {
    const attempt = await this.ctx.store.getReconnectAttempt(claims.nonce);
    if (!attempt || attempt.connectionId !== claims.connectionId || attempt.provider !== claims.provider) {
      throw new ReconnectKitError('state_invalid', { details: { connectionId: claims.connectionId } });
    }
    const details = { connectionId: claims.connectionId };
    // A state is single use: once an attempt has a final outcome, its state changes nothing any more.
    if (attempt.outcome) {
      throw new ReconnectKitError('state_used', {
        details: { ...details, outcome: attempt.outcome.outcome },
      });
    }
    if (attempt.endReason === 'superseded') throw new ReconnectKitError('state_superseded', { details });
    // Expired, or abandoned by the user: either way this state's attempt is over.
    if (attempt.endReason) throw new ReconnectKitError('state_expired', { details });
    return attempt;
  }

  async #complete(claims: StateClaims, callback: CallbackParams): Promise<CompletionOutcome> {
    const { ctx, writer } = this;
    await this.#openAttempt(claims);
    const connection = await ctx.getConnection(claims.connectionId);
    if (isTerminalState(connection.state)) {
      throw new ReconnectKitError('connection_terminal', {
        details: { connectionId: connection.id, state: connection.state },
      });
    }
    const provider = ctx.provider(connection.provider);
    const providerConnection = await ctx.providerConnection(connection);
    const result = await ctx.vendorCall(provider, () =>
      provider.completeReconnection(providerConnection, callback),
    );
    const cause: Cause = { kind: 'reconnect', ref: claims.nonce };

    // Callback parameters are claims. What the vendor did not confirm as the connection's own, and any terminal
    // verdict reached through a completion, end the attempt and leave the connection as it was (reconnectable):
    // terminal states come only from signed webhooks and status reads of the connection's own upstream id.
    if (result.outcome === 'unconfirmed')
      return this.#refuse(claims.nonce, connection.id, cause, 'unconfirmed');
    if (
      (result.outcome === 'failed' && isTerminalState(result.problem.state)) ||
      (result.outcome === 'completed' && isTerminalState(result.state))
    ) {
      return this.#refuse(claims.nonce, connection.id, cause, 'terminal_claim');
    }

    if (result.outcome === 'pending') {
      const pending = await writer.signal(connection.id, { state: 'reconnecting', cause });
      return { outcome: 'pending', connection: pending };
    }
    if (result.outcome === 'failed') {
      return this.#finishAttempt(claims.nonce, connection.id, async (tx, current) => {
        const applied = await writer.apply(tx, current, {
          state: result.problem.state,
          vendor: result.problem.vendor,
          problem: result.problem,
          occurredAt: ctx.clock.now(),
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
      ctx.logger.warn('reconnect landed on another account', { connectionId: connection.id });
      return this.#finishAttempt(claims.nonce, connection.id, async (tx, current) => {
        const mismatch: AnnouncedEvent = {
          type: 'connection.account_mismatch',
          data: { expected, actual },
          discriminator: claims.nonce,
        };
        // Back to the problem the reconnect was fixing, so the user can try again; ids, secrets and vendor
        // status stay as they were (nothing from the other account is stored).
        if (current.state === 'reconnecting' && current.problem) {
          const restored = await writer.apply(tx, current, {
            state: current.problem.state,
            problem: current.problem,
            cause,
            instead: mismatch,
          });
          return { outcome: 'account_mismatch', connection: restored.connection, expected, actual };
        }
        // Reconnects started from `connected`/`pending` have no problem to go back to; a webhook may also have
        // moved the connection meanwhile. The connection is left as it is.
        await writer.announce(tx, current, mismatch, cause);
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
      if (result.secrets) await tx.putSecrets(current.id, ctx.sealSecrets(current.id, result.secrets));
      const applied = await writer.apply(tx, current, {
        state: result.state,
        vendor: result.vendor,
        occurredAt: ctx.clock.now(),
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

  /**
   * Ends the attempt as `failed` without applying anything the completion claimed: a connection in `reconnecting`
   * goes back to the state the attempt started from (like an abandoned attempt, with the problem and vendor status
   * it had), so the user can try again; any other state is left alone.
   */
  async #refuse(
    nonce: string,
    connectionId: string,
    cause: Cause,
    reason: 'unconfirmed' | 'terminal_claim',
  ): Promise<CompletionOutcome> {
    this.ctx.logger.warn('reconnect completion not confirmed; the connection is left as it was', {
      connectionId,
      reason,
    });
    return this.#finishAttempt(nonce, connectionId, async (tx, current) => {
      const refused: AnnouncedEvent = {
        type: 'connection.reconnect_failed',
        data: { reason },
        discriminator: nonce,
      };
      let connection = current;
      if (current.state === 'reconnecting') {
        const to = await this.attempts.returnTo(tx, current);
        const restored = await this.writer.takeBack(tx, current, to, cause, { instead: refused });
        connection = restored.connection;
      } else {
        await this.writer.announce(tx, current, refused, cause);
      }
      return { outcome: 'failed', connection, problem: connection.problem ?? unconfirmedProblem(connection) };
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
    return this.writer.write(async (tx) => {
      const current = await requireConnection(tx, connectionId);
      const { applied, ...outcome } = await write(tx, current);
      if (outcome.outcome !== 'pending')
        await tx.completeReconnectAttempt(nonce, outcome, this.ctx.clock.now());
      const after = applied?.needsUser
        ? await this.writer.notification(tx, applied.connection, { kind: 'reconnect', ref: nonce })
        : [];
      return { value: outcome, after };
    });
  }
}
