import { ReconnectKitError } from './errors.js';
import { type Sweeper, type SweeperOptions, startSweeper } from './fleet-sweep.js';
import { listConnectionsSchema, pruneHistorySchema, registerConnectionSchema } from './inputs.js';
import type {
  Connection,
  ConnectionPage,
  ListConnectionsQuery,
  PruneHistoryOptions,
  PruneHistoryResult,
  RegisterConnectionInput,
} from './service-api.js';
import type { AttemptLifetime } from './service-attempts.js';
import type { ServiceContext } from './service-context.js';
import type { TransitionWriter } from './service-transitions.js';
import type { HistoryKind } from './store/port.js';
import { runSweep, type SweepOptions, type SweepResult, type SweepTarget } from './sweep.js';
import { isTerminalState } from './transitions.js';
import { parseInput } from './validation.js';

/** A connection's life around the signals: registration, reads, sweeps, revocation, secrets and history. */
export class ConnectionLifecycle {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly writer: TransitionWriter,
    private readonly lifetime: AttemptLifetime,
  ) {}

  /**
   * A page of connections; `reconnecting` ones whose attempt expired are taken back first (and left out if the
   * state they return to is not in `states`; the cursor still continues after them).
   */
  async listConnections(raw: ListConnectionsQuery): Promise<ConnectionPage> {
    const query = parseInput(listConnectionsSchema, raw);
    const page = await this.ctx.store.listConnections(query);
    if (!page.items.some((connection) => connection.state === 'reconnecting')) return page;
    const items: Connection[] = [];
    for (const listed of page.items) {
      const connection = await this.lifetime.settle(listed);
      if (!query.states || query.states.includes(connection.state)) items.push(connection);
    }
    return { ...page, items };
  }

  /**
   * Registers a connection (state defaults to `connected`). Registering the same live upstream account again for
   * the same host user returns the existing connection unchanged; for another host user it is `invalid_input`.
   */
  async registerConnection(raw: RegisterConnectionInput): Promise<Connection> {
    const input = parseInput(registerConnectionSchema, raw);
    this.ctx.provider(input.provider);
    const state = input.state ?? 'connected';
    return this.writer.write(async (tx) => {
      const existing = await tx.findByUpstream(input.provider, input.upstreamId);
      if (existing && !isTerminalState(existing.state)) {
        if (existing.hostUserId === input.hostUserId) return { value: existing };
        throw new ReconnectKitError('invalid_input', {
          message: 'This upstream connection is registered to another host user.',
          details: { connectionId: existing.id, field: 'upstreamId' },
        });
      }
      const inserted = await this.writer.insertConnection(tx, { ...input, state }, { kind: 'register' });
      return { value: inserted.connection };
    });
  }

  async revoke(connectionId: string): Promise<Connection> {
    const { ctx } = this;
    const connection = await ctx.getConnection(connectionId);
    // Revoking twice is a no-op: the first call already removed upstream access (or the vendor did).
    if (isTerminalState(connection.state)) return connection;
    const provider = ctx.provider(connection.provider);
    // Without upstream revocation the host can still stop using the connection: it is disconnected locally.
    if (provider.capabilities.revocation) {
      const providerConnection = await ctx.providerConnection(connection);
      await ctx.vendorCall(provider, () => provider.revoke(providerConnection));
    }
    return this.writer.signal(connectionId, { state: 'disconnected', cause: { kind: 'revoke' } });
  }

  /**
   * See `ReconnectionServiceApi.sweep`: expired attempts are ended first (no vendor call needed), then each
   * connection is re-checked with `checkStatus`.
   */
  async sweep(options: SweepOptions, checkStatus: SweepTarget['checkStatus']): Promise<SweepResult> {
    await this.lifetime.expireAll();
    return runSweep(this.#sweepTarget(checkStatus), options);
  }

  /**
   * See `ReconnectionServiceApi.startSweeper`; each claimed connection is re-checked with `checkStatus`, and
   * abandoned reconnect attempts are expired before every pass (as before a `sweep`).
   */
  startSweeper(options: SweeperOptions, checkStatus: SweepTarget['checkStatus']): Sweeper {
    return startSweeper(
      {
        ...this.#sweepTarget(checkStatus),
        store: this.ctx.store,
        beforePass: () => this.lifetime.expireAll(),
      },
      options,
    );
  }

  #sweepTarget(checkStatus: SweepTarget['checkStatus']): SweepTarget {
    return {
      clock: this.ctx.clock,
      logger: this.ctx.logger,
      listConnections: (query) => this.listConnections(query),
      checkStatus,
      canPollStatus: (providerId) => this.ctx.provider(providerId).capabilities.statusPolling,
    };
  }

  async pruneHistory(raw: PruneHistoryOptions): Promise<PruneHistoryResult> {
    const { store, clock, logger } = this.ctx;
    const options = parseInput(pruneHistorySchema, raw);
    const batchSize = options.batchSize ?? 1_000;
    const now = clock.now().getTime();
    const prune = async (kind: HistoryKind, olderThanMs: number | undefined): Promise<number> => {
      if (olderThanMs === undefined) return 0;
      const before = new Date(now - olderThanMs);
      let total = 0;
      for (;;) {
        const deleted = await store.pruneHistory(kind, before, batchSize);
        total += deleted;
        if (deleted < batchSize) return total;
      }
    };
    const result: PruneHistoryResult = {
      deliveredEvents: await prune('delivered_events', options.deliveredEventsOlderThanMs),
      inboundEvents: await prune('inbound_events', options.inboundEventsOlderThanMs),
      ignoredSignals: await prune('ignored_signals', options.ignoredSignalsOlderThanMs),
    };
    logger.info('history pruned', { ...result });
    return result;
  }

  /** Re-seals every stored secret with the primary key, page by page. Returns how many were re-sealed. */
  async rotateSecrets(pageSize: number): Promise<{ rotated: number; unchanged: number }> {
    const { store, secretBox } = this.ctx;
    let after: string | undefined;
    const counts = { rotated: 0, unchanged: 0 };
    for (;;) {
      const page = await store.listSecrets(after, pageSize);
      for (const row of page) {
        const next = secretBox.rotate(row.sealed, row.connectionId);
        // Compare-and-set: a completion that stored new secrets meanwhile already used the primary key.
        const changed =
          next !== row.sealed && (await store.replaceSecrets(row.connectionId, row.sealed, next));
        counts[changed ? 'rotated' : 'unchanged'] += 1;
      }
      if (page.length < pageSize) return counts;
      after = page.at(-1)?.connectionId;
    }
  }
}
