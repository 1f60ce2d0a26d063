import { z } from 'zod';
import { ClockLoop } from './clock-loop.js';
import { redact } from './logger.js';
import type {
  Connection,
  ExpireReconnectAttemptsOptions,
  ExpireReconnectAttemptsResult,
} from './service-api.js';
import type { ServiceContext } from './service-context.js';
import type { TransitionWriter } from './service-transitions.js';
import { StateTokenSigner } from './state-token.js';
import type { ConnectionStoreOps, ReconnectAttempt } from './store/port.js';
import type { ConnectionState, ReconnectAction } from './types.js';
import { parseInput } from './validation.js';

/** A minted attempt: the provider's action and the attempt record to store (its `returnTo` is set by the caller). */
export interface MintedAttempt {
  readonly action: ReconnectAction;
  readonly attempt: ReconnectAttempt;
}

const sessionBindingSchema = z.object({ sessionBinding: z.string().min(1).max(1024).optional() });
const expireOptionsSchema = z.object({ batchSize: z.number().int().min(1).max(1_000).optional() }).strict();

/** Open attempts of one connection read at once (a connection has one or two; more only under abuse). */
const OPEN_PER_CONNECTION = 100;

/** Reconnect attempts: each one mints a signed `state` bound to one connection and records the attempt. */
export class ReconnectAttempts {
  constructor(private readonly ctx: ServiceContext) {}

  /**
   * Mints a signed state bound to a new attempt and asks the provider for the user's way back in. Nothing is
   * stored: the caller inserts `attempt` (in the transaction that acts on it).
   */
  async mint(
    connection: Connection,
    options: { readonly redirectUri?: string | undefined; readonly sessionBinding?: string | undefined },
  ): Promise<MintedAttempt> {
    const { ctx } = this;
    const { sessionBinding } = parseInput(sessionBindingSchema, { sessionBinding: options.sessionBinding });
    const provider = ctx.provider(connection.provider);
    const now = ctx.clock.now();
    const nonce = StateTokenSigner.newNonce();
    const expiresAt = new Date(now.getTime() + ctx.options.stateTtlMs);
    const state = ctx.stateSigner.sign({
      connectionId: connection.id,
      provider: connection.provider,
      nonce,
      expiresAt,
      session: sessionBinding === undefined ? undefined : ctx.stateSigner.sessionDigest(sessionBinding),
    });
    const providerConnection = await ctx.providerConnection(connection);
    const action = await ctx.vendorCall(provider, () =>
      provider.startReconnection(providerConnection, {
        state,
        expiresAt,
        redirectUri: options.redirectUri,
        now,
      }),
    );
    const attempt: ReconnectAttempt = {
      nonce,
      connectionId: connection.id,
      provider: connection.provider,
      createdAt: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
    };
    return { action, attempt };
  }

  /**
   * An action for a notification: a stored attempt that does not move the connection and supersedes nothing (the
   * user may be in a flow started meanwhile).
   */
  async mintForNotification(connection: Connection): Promise<ReconnectAction> {
    const { action, attempt } = await this.mint(connection, {});
    await this.ctx.store.insertReconnectAttempt({ ...attempt, returnTo: connection.state });
    return action;
  }

  /**
   * The state a new attempt goes back to if it ends unfinished: the connection's state, or while it is already
   * `reconnecting`, the state the attempts in flight started from.
   */
  async returnTo(tx: ConnectionStoreOps, current: Connection): Promise<ConnectionState> {
    if (current.state !== 'reconnecting') return current.state;
    const open = await tx.listOpenReconnectAttempts({ connectionId: current.id, limit: OPEN_PER_CONNECTION });
    return open.findLast((attempt) => attempt.returnTo)?.returnTo ?? fallbackReturn(current);
  }
}

/** A `reconnecting` connection with no recorded origin goes back to the problem it carries. */
function fallbackReturn(connection: Connection): ConnectionState {
  return connection.problem?.state ?? 'needs_reauth';
}

/**
 * The lifetime of attempts: `reconnecting` never outlasts the state of the newest attempt. An attempt whose state
 * expired is ended, and a connection still `reconnecting` with no live attempt left goes back to the state the
 * attempt started from, with `connection.reconnect_abandoned`. Applied lazily whenever a connection is read or
 * acted on, and in bulk by `expireAll` (the dispatcher loop, sweeps, or the host).
 */
export class AttemptLifetime {
  /** Runs `expireAll` every `attemptExpiryIntervalMs` of clock time (started with the dispatcher). */
  readonly #loop: ClockLoop;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly writer: TransitionWriter,
  ) {
    this.#loop = new ClockLoop(ctx.clock, ctx.options.attemptExpiryIntervalMs, async () => {
      try {
        await this.expireAll();
      } catch (error) {
        ctx.logger.error('expiring reconnect attempts failed', { error: redact(error) });
      }
    });
  }

  /** The connection, after ending its expired attempts. */
  async current(connectionId: string): Promise<Connection> {
    return this.settle(await this.ctx.getConnection(connectionId));
  }

  /** Ends the expired attempts of a `reconnecting` connection and returns it as it is now. */
  async settle(connection: Connection): Promise<Connection> {
    if (connection.state !== 'reconnecting') return connection;
    const due = await this.ctx.store.listOpenReconnectAttempts({
      connectionId: connection.id,
      expiredBy: this.ctx.clock.now(),
      limit: OPEN_PER_CONNECTION,
    });
    if (due.length === 0) return connection;
    try {
      for (const attempt of due) await this.end(attempt, 'expired');
    } catch (error) {
      // A read never fails because of this housekeeping write; the next read or the loop tries again.
      this.ctx.logger.warn('could not expire a reconnect attempt', {
        connectionId: connection.id,
        error: redact(error),
      });
    }
    return this.ctx.getConnection(connection.id);
  }

  async expireAll(raw: ExpireReconnectAttemptsOptions = {}): Promise<ExpireReconnectAttemptsResult> {
    const batchSize = parseInput(expireOptionsSchema, raw).batchSize ?? 100;
    const now = this.ctx.clock.now();
    const tally = { expired: 0, abandoned: 0 };
    for (;;) {
      const due = await this.ctx.store.listOpenReconnectAttempts({ expiredBy: now, limit: batchSize });
      let ended = 0;
      for (const attempt of due) {
        try {
          const result = await this.end(attempt, 'expired');
          if (result.ended) ended += 1;
          if (result.abandoned) tally.abandoned += 1;
        } catch (error) {
          this.ctx.logger.warn('could not expire a reconnect attempt', {
            connectionId: attempt.connectionId,
            error: redact(error),
          });
        }
      }
      tally.expired += ended;
      // A page where nothing could be ended would come back unchanged: stop instead of spinning on it.
      if (due.length < batchSize || ended === 0) break;
    }
    if (tally.expired > 0) this.ctx.logger.info('reconnect attempts expired', { ...tally });
    return tally;
  }

  /**
   * Ends one attempt (its state expired, or the user left the vendor's flow) and, if it was the last live one of a
   * `reconnecting` connection, takes the connection back. One transaction; ending is a compare-and-set, so of
   * several processes exactly one acts.
   */
  async end(
    attempt: ReconnectAttempt,
    reason: 'expired' | 'abandoned',
  ): Promise<{ ended: boolean; abandoned: boolean }> {
    return this.writer.write<{ ended: boolean; abandoned: boolean }>(async (tx) => {
      const now = this.ctx.clock.now();
      if (!(await tx.endReconnectAttempt(attempt.nonce, reason, now))) {
        return { value: { ended: false, abandoned: false } };
      }
      const current = await tx.getConnection(attempt.connectionId);
      if (current?.state !== 'reconnecting') return { value: { ended: true, abandoned: false } };
      const open = await tx.listOpenReconnectAttempts({
        connectionId: current.id,
        limit: OPEN_PER_CONNECTION,
      });
      if (open.some((other) => Date.parse(other.expiresAt) > now.getTime())) {
        return { value: { ended: true, abandoned: false } };
      }
      const applied = await this.writer.takeBack(
        tx,
        current,
        attempt.returnTo ?? fallbackReturn(current),
        { kind: 'reconnect', ref: attempt.nonce },
        { eventData: { reason, expiresAt: attempt.expiresAt } },
      );
      return { value: { ended: true, abandoned: applied.status === 'applied' } };
    });
  }

  start(): void {
    this.#loop.start();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }
}
