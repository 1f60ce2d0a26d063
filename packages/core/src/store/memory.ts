import { ReconnectKitError } from '../errors.js';
import type { CompletionOutcome, Connection, ConnectionPage } from '../service-api.js';
import type { ConnectionEvent, ConnectionState } from '../types.js';
import type {
  ConnectionStoreOps,
  HistoryKind,
  IgnoredSignal,
  IgnoredSignalQuery,
  OpenAttemptQuery,
  OutboxClaim,
  OutboxEntry,
  OutboxQuery,
  ReconnectAttempt,
  ReconnectAttemptEnd,
  SealedSecretRow,
  StoreListQuery,
  SweepClaim,
} from './port.js';
import {
  conflict,
  decodeCursor,
  encodeCursor,
  isAfter,
  isLive,
  KeyedMutex,
  Mutex,
  pageSize,
} from './shared.js';
import { TransactionalStore } from './transactional-store.js';

interface MemoryData {
  readonly connections: Map<string, Connection>;
  /** (provider, upstreamId) → connection ids, so lookups and the live-uniqueness check need no scan. */
  readonly byUpstream: Map<string, Set<string>>;
  /** (provider, event id) → receipt time (ISO). */
  readonly inbound: Map<string, string>;
  readonly ignored: IgnoredSignal[];
  /** Keyed by event id; Map iteration order is append order. */
  readonly outbox: Map<string, OutboxEntry>;
  readonly secrets: Map<string, string>;
  readonly attempts: Map<string, ReconnectAttempt>;
  /** Connection id → its fleet-sweep due time and lease (ISO); absent until a sweeper first claims it. */
  readonly sweeps: Map<string, SweepMark>;
}

interface SweepMark {
  readonly dueAt: string;
  readonly owner?: string | undefined;
  readonly leaseUntil?: string | undefined;
}

const copy = <T>(value: T): T => structuredClone(value);
const upstreamKey = (c: Pick<Connection, 'provider' | 'upstreamId'>) => `${c.provider}\u0000${c.upstreamId}`;
const iso = (date: Date): string => date.toISOString();

const isOpen = (attempt: ReconnectAttempt): boolean => !attempt.outcome && !attempt.endReason;

/** List order: (createdAt, id) ascending. */
function byPosition(a: Connection, b: Connection): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Writes through a transaction record an undo step, so a failed transaction restores the previous data. */
class MemoryOps implements ConnectionStoreOps {
  constructor(
    private readonly data: MemoryData,
    private readonly undo: (() => void)[],
  ) {}

  #setMap<K, V>(map: Map<K, V>, key: K, value: V): void {
    const had = map.has(key);
    const previous = map.get(key);
    map.set(key, value);
    this.undo.push(() => (had ? map.set(key, previous as V) : map.delete(key)));
  }

  #deleteMap<K, V>(map: Map<K, V>, key: K): void {
    if (!map.has(key)) return;
    const previous = map.get(key) as V;
    map.delete(key);
    // Re-inserting would move the key to the end; only the outbox relies on order and it never deletes.
    this.undo.push(() => map.set(key, previous));
  }

  async getConnection(connectionId: string): Promise<Connection | undefined> {
    const found = this.data.connections.get(connectionId);
    return found && copy(found);
  }

  async findByUpstream(provider: string, upstreamId: string): Promise<Connection | undefined> {
    const matches = this.#withUpstream({ provider, upstreamId }).sort(byPosition);
    const found = matches.find(isLive) ?? matches.at(-1);
    return found && copy(found);
  }

  #withUpstream(key: Pick<Connection, 'provider' | 'upstreamId'>): Connection[] {
    const ids = this.data.byUpstream.get(upstreamKey(key)) ?? new Set<string>();
    return [...ids].map((id) => this.data.connections.get(id) as Connection);
  }

  /** Keeps the upstream index in step with a connection write (and undoes that with the transaction). */
  #index(connection: Connection, previous: Connection | undefined): void {
    if (previous && upstreamKey(previous) === upstreamKey(connection)) return;
    if (previous) this.#indexChange(upstreamKey(previous), connection.id, 'delete');
    this.#indexChange(upstreamKey(connection), connection.id, 'add');
  }

  #indexChange(key: string, id: string, change: 'add' | 'delete'): void {
    let ids = this.data.byUpstream.get(key);
    if (!ids) {
      ids = new Set();
      this.data.byUpstream.set(key, ids);
    }
    const set = ids;
    if (change === 'add') {
      set.add(id);
      this.undo.push(() => set.delete(id));
    } else {
      set.delete(id);
      this.undo.push(() => set.add(id));
    }
  }

  async findLatestByUpstreamParent(
    provider: string,
    upstreamParentId: string,
    states: readonly ConnectionState[],
  ): Promise<Connection | undefined> {
    const found = this.#sorted()
      .filter(
        (c) => c.provider === provider && c.upstreamParentId === upstreamParentId && states.includes(c.state),
      )
      .at(-1);
    return found && copy(found);
  }

  async insertConnection(connection: Connection): Promise<void> {
    if (this.data.connections.has(connection.id)) {
      throw conflict('A connection with this id exists.', { connectionId: connection.id });
    }
    this.#assertUpstreamFree(connection);
    this.#setMap(this.data.connections, connection.id, copy(connection));
    this.#index(connection, undefined);
  }

  async updateConnection(connection: Connection, expectedVersion: number): Promise<void> {
    const stored = this.data.connections.get(connection.id);
    if (!stored)
      throw new ReconnectKitError('connection_not_found', { details: { connectionId: connection.id } });
    if (stored.version !== expectedVersion || connection.version !== expectedVersion + 1) {
      throw conflict('The connection was changed concurrently.', {
        connectionId: connection.id,
        expectedVersion,
        actualVersion: stored.version,
      });
    }
    this.#assertUpstreamFree(connection);
    this.#setMap(this.data.connections, connection.id, copy(connection));
    this.#index(connection, stored);
  }

  #assertUpstreamFree(connection: Connection): void {
    if (!isLive(connection)) return;
    const other = this.#withUpstream(connection).find((c) => c.id !== connection.id && isLive(c));
    if (other) {
      throw conflict('Another live connection has this upstream id.', {
        provider: connection.provider,
        connectionId: other.id,
      });
    }
  }

  #sorted(): Connection[] {
    return [...this.data.connections.values()].sort(byPosition);
  }

  async listConnections(query: StoreListQuery): Promise<ConnectionPage> {
    const limit = pageSize(query);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const matching = this.#sorted().filter(
      (c) =>
        (query.provider === undefined || c.provider === query.provider) &&
        (query.hostUserId === undefined || c.hostUserId === query.hostUserId) &&
        (query.states === undefined || query.states.includes(c.state)) &&
        (after === undefined || isAfter(c, after)),
    );
    const items = matching.slice(0, limit).map(copy);
    const last = items.at(-1);
    return matching.length > limit && last ? { items, nextCursor: encodeCursor(last) } : { items };
  }

  async recordInboundEvent(provider: string, eventId: string, receivedAt: Date): Promise<boolean> {
    const key = `${provider}\u0000${eventId}`;
    if (this.data.inbound.has(key)) return false;
    this.data.inbound.set(key, iso(receivedAt));
    this.undo.push(() => this.data.inbound.delete(key));
    return true;
  }

  async recordIgnoredSignal(signal: IgnoredSignal): Promise<void> {
    this.data.ignored.push(copy(signal));
    this.undo.push(() => this.data.ignored.pop());
  }

  async listIgnoredSignals(query: IgnoredSignalQuery): Promise<readonly IgnoredSignal[]> {
    return this.data.ignored
      .filter(
        (s) =>
          (query.provider === undefined || s.provider === query.provider) &&
          (query.connectionId === undefined || s.connectionId === query.connectionId),
      )
      .reverse()
      .slice(0, query.limit ?? 100)
      .map(copy);
  }

  async appendOutbox(events: readonly ConnectionEvent[], availableAt: Date): Promise<void> {
    for (const event of events) {
      if (this.data.outbox.has(event.id)) continue;
      this.#setMap(this.data.outbox, event.id, {
        event: copy(event),
        attempts: 0,
        nextAttemptAt: iso(availableAt),
      });
    }
  }

  async pruneHistory(kind: HistoryKind, before: Date, limit: number): Promise<number> {
    const cutoff = iso(before);
    if (kind === 'ignored_signals') {
      const { ignored } = this.data;
      let removed = 0;
      const kept = ignored.filter((signal) => {
        const drop = removed < limit && signal.recordedAt < cutoff;
        if (drop) removed += 1;
        return !drop;
      });
      const previous = ignored.splice(0, ignored.length, ...kept);
      this.undo.push(() => ignored.splice(0, ignored.length, ...previous));
      return removed;
    }
    const map: Map<string, unknown> = kind === 'inbound_events' ? this.data.inbound : this.data.outbox;
    const old = (value: unknown): boolean =>
      kind === 'inbound_events'
        ? (value as string) < cutoff
        : (value as OutboxEntry).deliveredAt !== undefined && (value as OutboxEntry).deliveredAt! < cutoff;
    const doomed = [...map].filter(([, value]) => old(value)).slice(0, limit);
    if (doomed.length === 0) return 0;
    // Deleting from a Map and re-adding would change its (append) order, so a rollback restores a snapshot.
    const snapshot = [...map];
    for (const [key] of doomed) map.delete(key);
    this.undo.push(() => {
      map.clear();
      for (const [key, value] of snapshot) map.set(key, value);
    });
    return doomed.length;
  }

  async claimOutbox(claim: OutboxClaim): Promise<readonly OutboxEntry[]> {
    const now = iso(claim.now);
    const claimed: OutboxEntry[] = [];
    for (const entry of this.data.outbox.values()) {
      if (claimed.length >= claim.limit) break;
      const due = !entry.deliveredAt && entry.nextAttemptAt <= now;
      const free = entry.leaseUntil === undefined || entry.leaseUntil <= now;
      if (!due || !free) continue;
      const leased: OutboxEntry = {
        ...entry,
        leaseOwner: claim.owner,
        leaseUntil: iso(new Date(claim.now.getTime() + claim.leaseMs)),
      };
      this.#setMap(this.data.outbox, entry.event.id, leased);
      claimed.push(copy(leased));
    }
    return claimed;
  }

  async claimSweep(claim: SweepClaim): Promise<readonly Connection[]> {
    const now = iso(claim.now);
    const due = [...this.data.connections.values()]
      .filter(
        (c) =>
          claim.states.includes(c.state) && (claim.provider === undefined || c.provider === claim.provider),
      )
      .flatMap((connection) => {
        const mark = this.data.sweeps.get(connection.id);
        const free =
          !mark || (mark.dueAt <= now && (mark.leaseUntil === undefined || mark.leaseUntil <= now));
        return free ? [{ connection, dueAt: mark?.dueAt ?? '' }] : [];
      })
      .sort((a, b) =>
        a.dueAt !== b.dueAt ? (a.dueAt < b.dueAt ? -1 : 1) : a.connection.id < b.connection.id ? -1 : 1,
      )
      .slice(0, claim.limit);
    const leaseUntil = iso(new Date(claim.now.getTime() + claim.leaseMs));
    for (const { connection, dueAt } of due) {
      this.#setMap(this.data.sweeps, connection.id, { dueAt: dueAt || now, owner: claim.owner, leaseUntil });
    }
    return due.map(({ connection }) => copy(connection));
  }

  async finishSweep(connectionId: string, owner: string, nextDueAt: Date): Promise<boolean> {
    const mark = this.data.sweeps.get(connectionId);
    if (!mark || mark.owner !== owner) return false;
    this.#setMap(this.data.sweeps, connectionId, { dueAt: iso(nextDueAt) });
    return true;
  }

  #leased(eventId: string, owner: string): OutboxEntry | undefined {
    const entry = this.data.outbox.get(eventId);
    return entry && entry.leaseOwner === owner && !entry.deliveredAt ? entry : undefined;
  }

  async markOutboxDelivered(eventId: string, owner: string, deliveredAt: Date): Promise<boolean> {
    const entry = this.#leased(eventId, owner);
    if (!entry) return false;
    const { leaseOwner: _owner, leaseUntil: _until, ...rest } = entry;
    this.#setMap(this.data.outbox, eventId, { ...rest, deliveredAt: iso(deliveredAt) });
    return true;
  }

  async markOutboxFailed(
    eventId: string,
    owner: string,
    failure: { readonly nextAttemptAt: Date; readonly error: string },
  ): Promise<boolean> {
    const entry = this.#leased(eventId, owner);
    if (!entry) return false;
    const { leaseOwner: _owner, leaseUntil: _until, ...rest } = entry;
    this.#setMap(this.data.outbox, eventId, {
      ...rest,
      attempts: entry.attempts + 1,
      nextAttemptAt: iso(failure.nextAttemptAt),
      lastError: failure.error,
    });
    return true;
  }

  async listOutbox(query: OutboxQuery): Promise<readonly OutboxEntry[]> {
    return [...this.data.outbox.values()]
      .filter(
        (e) => query.status === undefined || (query.status === 'delivered') === (e.deliveredAt !== undefined),
      )
      .slice(0, query.limit ?? 100)
      .map(copy);
  }

  async putSecrets(connectionId: string, sealed: string): Promise<void> {
    this.#setMap(this.data.secrets, connectionId, sealed);
  }

  async getSecrets(connectionId: string): Promise<string | undefined> {
    return this.data.secrets.get(connectionId);
  }

  async replaceSecrets(connectionId: string, expected: string, next: string): Promise<boolean> {
    if (this.data.secrets.get(connectionId) !== expected) return false;
    this.#setMap(this.data.secrets, connectionId, next);
    return true;
  }

  async deleteSecrets(connectionId: string): Promise<void> {
    this.#deleteMap(this.data.secrets, connectionId);
  }

  async listSecrets(
    afterConnectionId: string | undefined,
    limit: number,
  ): Promise<readonly SealedSecretRow[]> {
    return [...this.data.secrets.entries()]
      .filter(([connectionId]) => afterConnectionId === undefined || connectionId > afterConnectionId)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .slice(0, limit)
      .map(([connectionId, sealed]) => ({ connectionId, sealed }));
  }

  async insertReconnectAttempt(attempt: ReconnectAttempt): Promise<void> {
    if (this.data.attempts.has(attempt.nonce)) {
      throw conflict('A reconnect attempt with this nonce exists.', { connectionId: attempt.connectionId });
    }
    this.#setMap(this.data.attempts, attempt.nonce, copy(attempt));
  }

  async getReconnectAttempt(nonce: string): Promise<ReconnectAttempt | undefined> {
    const found = this.data.attempts.get(nonce);
    return found && copy(found);
  }

  async completeReconnectAttempt(
    nonce: string,
    outcome: CompletionOutcome,
    completedAt: Date,
  ): Promise<boolean> {
    const attempt = this.data.attempts.get(nonce);
    if (!attempt || attempt.outcome) return false;
    this.#setMap(this.data.attempts, nonce, {
      ...attempt,
      outcome: copy(outcome),
      completedAt: iso(completedAt),
    });
    return true;
  }

  async endReconnectAttempt(nonce: string, reason: ReconnectAttemptEnd, endedAt: Date): Promise<boolean> {
    const attempt = this.data.attempts.get(nonce);
    if (!attempt || !isOpen(attempt)) return false;
    this.#setMap(this.data.attempts, nonce, { ...attempt, endReason: reason, endedAt: iso(endedAt) });
    return true;
  }

  async supersedeReconnectAttempts(connectionId: string, keepNonce: string, endedAt: Date): Promise<number> {
    let ended = 0;
    for (const attempt of [...this.data.attempts.values()]) {
      if (attempt.connectionId !== connectionId || attempt.nonce === keepNonce || !isOpen(attempt)) continue;
      this.#setMap(this.data.attempts, attempt.nonce, {
        ...attempt,
        endReason: 'superseded',
        endedAt: iso(endedAt),
      });
      ended += 1;
    }
    return ended;
  }

  async listOpenReconnectAttempts(query: OpenAttemptQuery): Promise<readonly ReconnectAttempt[]> {
    const expiredBy = query.expiredBy && iso(query.expiredBy);
    return [...this.data.attempts.values()]
      .filter(
        (attempt) =>
          isOpen(attempt) &&
          (query.connectionId === undefined || attempt.connectionId === query.connectionId) &&
          (expiredBy === undefined || attempt.expiresAt <= expiredBy),
      )
      .sort((a, b) =>
        a.expiresAt !== b.expiresAt ? (a.expiresAt < b.expiresAt ? -1 : 1) : a.nonce < b.nonce ? -1 : 1,
      )
      .slice(0, query.limit)
      .map(copy);
  }
}

/**
 * The in-memory store: for tests and single-process development. Transactions run one at a time; a failed
 * one is undone step by step. `withConnectionLock` is an in-process mutex per connection.
 */
export class MemoryConnectionStore extends TransactionalStore {
  readonly #data: MemoryData = {
    connections: new Map(),
    byUpstream: new Map(),
    inbound: new Map(),
    ignored: [],
    outbox: new Map(),
    secrets: new Map(),
    attempts: new Map(),
    sweeps: new Map(),
  };
  readonly #transactions = new Mutex();
  readonly #locks = new KeyedMutex();

  transaction<T>(fn: (tx: ConnectionStoreOps) => Promise<T>): Promise<T> {
    return this.#transactions.run(async () => {
      const undo: (() => void)[] = [];
      try {
        return await fn(new MemoryOps(this.#data, undo));
      } catch (error) {
        for (const step of undo.reverse()) step();
        throw error;
      }
    });
  }

  withConnectionLock<T>(connectionId: string, fn: () => Promise<T>): Promise<T> {
    return this.#locks.run(connectionId, fn);
  }

  async close(): Promise<void> {}
}
