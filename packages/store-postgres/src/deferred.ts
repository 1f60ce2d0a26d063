import type {
  CompletionOutcome,
  Connection,
  ConnectionEvent,
  ConnectionPage,
  ConnectionState,
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
} from '@reconnect-kit/core';
import { PostgresOps, type Queryable } from './ops.js';
import type { RecentConnections } from './recent-connections.js';
import type { Tables } from './tables.js';
import {
  checkNextVersion,
  type InboundRow,
  json,
  type OutboxRowInput,
  type Param,
  type WriteSql,
  type Writes,
  writesFor,
} from './writes.js';

type Table = 'connections' | 'inboundEvents' | 'ignoredSignals' | 'outbox' | 'secrets' | 'reconnectAttempts';

/** SQLSTATE raised by `expect_written` (migration 4). */
const DEFERRED_MISS = 'RKD01';
const UNIQUE_VIOLATION = '23505';

const inboundKey = (provider: string, eventId: string) => JSON.stringify([provider, eventId]);

interface BufferedWrite {
  readonly table: Table;
  readonly sql: WriteSql;
  /** Rows the write must touch for the assumption made when it was buffered to hold. */
  readonly expect?: number;
  /** A versioned update: when it hits, the connection was still at `from`, live (see `#flush`). */
  readonly updates?: { readonly id: string; readonly from: number };
}

/**
 * A transaction that costs one round trip for all its writes. Reads run at once, outside any transaction (under
 * READ COMMITTED each statement sees the latest committed data either way); writes are buffered, answered with
 * what they will do when nothing races them (a new inbound event is new, a versioned update hits its row), and
 * sent together at the end as ONE statement, atomic by itself, whose last step checks every assumption and aborts
 * the statement when one failed. The store then runs the transaction again as a classic one, so its caller sees
 * exactly what a classic transaction would have given it. A typical webhook transaction (record the event, read
 * the connection, update it, append its events) thus costs two round trips instead of seven.
 *
 * Whatever cannot be deferred (a read of a table with a buffered write, a write whose answer cannot be assumed,
 * a second write to one row) promotes the run: BEGIN, the buffered writes as one statement, and from then on
 * every call at once; the end is then a COMMIT.
 */
export class DeferredOps implements ConnectionStoreOps {
  readonly #client: Queryable;
  readonly #t: Tables;
  readonly #w: Writes;
  readonly #now: PostgresOps;
  /** Inbound pairs known to be recorded already (from an earlier run's failed check): answered `false`. */
  readonly #knownDuplicates: ReadonlySet<string>;
  readonly #recent: RecentConnections | undefined;
  /**
   * Connections answered from `#recent`, with the version they were answered at: checked by the one flush of
   * the run (at its end, or when it is promoted; after that every read goes to the database).
   */
  readonly #assumed = new Map<string, number>();
  /**
   * Connections read from the database or written in this run (with the JSON a write sent): remembered once it
   * committed.
   */
  readonly #seen: { readonly connection: Connection; readonly json?: string }[] = [];
  #inbound: InboundRow[] = [];
  #outbox: OutboxRowInput[] = [];
  #ignored: IgnoredSignal[] = [];
  #others: BufferedWrite[] = [];
  #promotion: Promise<void> | undefined;
  #promoted = false;
  #missed: DeferredMiss | undefined;

  constructor(
    client: Queryable,
    tables: Tables,
    knownDuplicates: ReadonlySet<string> = new Set(),
    recent?: RecentConnections,
  ) {
    this.#client = client;
    this.#t = tables;
    this.#w = writesFor(tables);
    this.#now = new PostgresOps(client, tables, recent);
    this.#knownDuplicates = knownDuplicates;
    this.#recent = recent;
  }

  /** Whether BEGIN was sent (the caller must then COMMIT via `finish` or ROLLBACK). */
  get promoted(): boolean {
    return this.#promoted;
  }

  /** Set when a buffered assumption did not hold: this run's result must be discarded and the work redone. */
  get missed(): DeferredMiss | undefined {
    return this.#missed;
  }

  /** After the function resolved: sends the buffered writes (one statement) or COMMITs a promoted run. */
  async finish(): Promise<void> {
    if (this.#promoted) await this.#client.query('COMMIT');
    else await this.#flush();
  }

  /** After `finish`: what this run read and wrote is the latest this process knows of those connections. */
  rememberCommitted(): void {
    for (const { connection, json } of this.#seen) this.#recent?.remember(connection, json);
  }

  /**
   * After a failed or missed run: nothing it read or assumed is trusted again without a fresh read, except the
   * current state a miss reported for the connections it had answered from memory.
   */
  discard(): void {
    for (const id of this.#assumed.keys()) this.#recent?.forget(id);
    for (const { connection } of this.#seen) this.#recent?.forget(connection.id);
    for (const connection of this.#missed?.current ?? []) this.#recent?.remember(connection);
  }

  #touches(table: Table): boolean {
    return (
      (table === 'inboundEvents' && this.#inbound.length > 0) ||
      (table === 'outbox' && this.#outbox.length > 0) ||
      (table === 'ignoredSignals' && this.#ignored.length > 0) ||
      this.#others.some((write) => write.table === table)
    );
  }

  /** Whether a call on `table` must run at once (promoting the run first when it touches a buffered table). */
  async #immediate(table: Table): Promise<boolean> {
    if (!this.#promoted && this.#touches(table)) await this.#promote();
    return this.#promoted;
  }

  #promote(): Promise<void> {
    this.#promotion ??= (async () => {
      await this.#client.query('BEGIN');
      this.#promoted = true;
      await this.#flush();
    })();
    return this.#promotion;
  }

  async #flush(): Promise<void> {
    const writes: BufferedWrite[] = [];
    // Inbound first: its count decides whether a miss is only a duplicate delivery (see DeferredMiss).
    if (this.#inbound.length > 0) {
      writes.push({
        table: 'inboundEvents',
        sql: this.#w.recordInboundEvents(this.#inbound),
        expect: this.#inbound.length,
      });
    }
    writes.push(...this.#others);
    if (this.#ignored.length > 0)
      writes.push({ table: 'ignoredSignals', sql: this.#w.recordIgnoredSignals(this.#ignored) });
    if (this.#outbox.length > 0) writes.push({ table: 'outbox', sql: this.#w.appendOutbox(this.#outbox) });
    const inbound = this.#inbound;
    const assumed = this.#assumed;
    this.#inbound = [];
    this.#outbox = [];
    this.#ignored = [];
    this.#others = [];
    if (writes.length === 0 && assumed.size === 0) return;

    const values: unknown[] = [];
    const p: Param = (value) => {
      values.push(value);
      return `$${values.length}`;
    };
    const ctes: string[] = [];
    const counts: string[] = [];
    const expected: number[] = [];
    // Connections answered from memory must still be live at the version they were answered at. An update of
    // one from that very version checks it already: versions only grow and every change of a row takes the
    // next one, so the row it hits is the remembered one (live, as all remembered ones are).
    const unchecked = new Map(assumed);
    /** Indexes of the checks that vouch for remembered connections. */
    const rememberedChecks: number[] = [];
    writes.forEach((write, i) => {
      ctes.push(`w${i} AS (${write.sql(p)} RETURNING 1)`);
      if (write.expect === undefined) return;
      if (write.updates && assumed.get(write.updates.id) === write.updates.from) {
        unchecked.delete(write.updates.id);
        rememberedChecks.push(expected.length);
      }
      counts.push(`(SELECT count(*) FROM w${i})`);
      expected.push(write.expect);
    });
    if (unchecked.size > 0) {
      rememberedChecks.push(expected.length);
      ctes.push(`remembered AS (${this.#w.rememberedConnections(unchecked)(p)})`);
      counts.push('(SELECT count(*) FROM remembered WHERE held)');
      expected.push(unchecked.size);
    }
    const actual = `ARRAY[${counts.join(', ')}]::bigint[]`;
    const wanted = `${p(expected)}::bigint[]`;
    // The current bodies of the remembered connections that changed come back with the miss.
    const current =
      assumed.size > 0
        ? `(SELECT jsonb_agg(body) FROM (${this.#w.rememberedConnections(assumed)(p)}) AS r WHERE NOT held)`
        : 'NULL::jsonb';
    // `expect_written` (and the lookup of those bodies) only runs when a check failed.
    const text = `WITH ${ctes.join(',\n')}
      SELECT CASE WHEN ${actual} = ${wanted} THEN true
        ELSE ${this.#t.expectWritten}(${actual}, ${wanted}, ${current}) END`;
    try {
      await this.#client.query(text, values);
    } catch (error) {
      const miss = missFrom(error, { inbound, expected, rememberedChecks });
      if (miss) this.#missed = miss;
      throw error;
    }
  }

  // ---- reads: at once, after promoting if they read a table with buffered writes ----------------------

  async getConnection(connectionId: string): Promise<Connection | undefined> {
    if (!(await this.#immediate('connections'))) {
      const recent = this.#recent?.get(connectionId);
      if (recent) return this.#assume(recent);
    }
    return this.#fresh(await this.#now.getConnection(connectionId));
  }

  async findByUpstream(provider: string, upstreamId: string): Promise<Connection | undefined> {
    if (!(await this.#immediate('connections'))) {
      const recent = this.#recent?.findByUpstream(provider, upstreamId);
      if (recent) return this.#assume(recent);
    }
    return this.#fresh(await this.#now.findByUpstream(provider, upstreamId));
  }

  #assume(connection: Connection): Connection {
    this.#assumed.set(connection.id, connection.version);
    return connection;
  }

  #fresh(connection: Connection | undefined): Connection | undefined {
    if (connection) this.#seen.push({ connection });
    return connection;
  }

  async findLatestByUpstreamParent(
    provider: string,
    upstreamParentId: string,
    states: readonly ConnectionState[],
  ): Promise<Connection | undefined> {
    await this.#immediate('connections');
    return this.#now.findLatestByUpstreamParent(provider, upstreamParentId, states);
  }

  async listConnections(query: StoreListQuery): Promise<ConnectionPage> {
    await this.#immediate('connections');
    return this.#now.listConnections(query);
  }

  async listIgnoredSignals(query: IgnoredSignalQuery): Promise<readonly IgnoredSignal[]> {
    await this.#immediate('ignoredSignals');
    return this.#now.listIgnoredSignals(query);
  }

  async listOutbox(query: OutboxQuery): Promise<readonly OutboxEntry[]> {
    await this.#immediate('outbox');
    return this.#now.listOutbox(query);
  }

  async getSecrets(connectionId: string): Promise<string | undefined> {
    await this.#immediate('secrets');
    return this.#now.getSecrets(connectionId);
  }

  async listSecrets(
    afterConnectionId: string | undefined,
    limit: number,
  ): Promise<readonly SealedSecretRow[]> {
    await this.#immediate('secrets');
    return this.#now.listSecrets(afterConnectionId, limit);
  }

  async getReconnectAttempt(nonce: string): Promise<ReconnectAttempt | undefined> {
    await this.#immediate('reconnectAttempts');
    return this.#now.getReconnectAttempt(nonce);
  }

  async listOpenReconnectAttempts(query: OpenAttemptQuery): Promise<readonly ReconnectAttempt[]> {
    await this.#immediate('reconnectAttempts');
    return this.#now.listOpenReconnectAttempts(query);
  }

  // ---- writes: buffered with the answer they give when nothing races them -----------------------------

  async insertConnection(connection: Connection): Promise<void> {
    const body = json(connection);
    if (await this.#immediate('connections')) await this.#now.insertConnection(connection, body);
    else
      this.#others.push({ table: 'connections', sql: this.#w.insertConnection(connection, body), expect: 1 });
    this.#seen.push({ connection, json: body });
  }

  async updateConnection(connection: Connection, expectedVersion: number): Promise<void> {
    checkNextVersion(connection, expectedVersion);
    const body = json(connection);
    if (await this.#immediate('connections'))
      await this.#now.updateConnection(connection, expectedVersion, body);
    else {
      this.#others.push({
        table: 'connections',
        sql: this.#w.updateConnection(connection, expectedVersion, body),
        expect: 1,
        updates: { id: connection.id, from: expectedVersion },
      });
    }
    this.#seen.push({ connection, json: body });
  }

  async recordInboundEvent(provider: string, eventId: string, receivedAt: Date): Promise<boolean> {
    if (this.#promoted) return this.#now.recordInboundEvent(provider, eventId, receivedAt);
    const key = inboundKey(provider, eventId);
    if (this.#knownDuplicates.has(key)) return false;
    if (this.#inbound.some((row) => inboundKey(row.provider, row.eventId) === key)) return false;
    this.#inbound.push({ provider, eventId, receivedAt });
    return true;
  }

  async recordIgnoredSignal(signal: IgnoredSignal): Promise<void> {
    if (this.#promoted) return this.#now.recordIgnoredSignal(signal);
    this.#ignored.push(signal);
  }

  async appendOutbox(events: readonly ConnectionEvent[], availableAt: Date): Promise<void> {
    if (this.#promoted) return this.#now.appendOutbox(events, availableAt);
    for (const event of events) this.#outbox.push({ event, availableAt });
  }

  async putSecrets(connectionId: string, sealed: string): Promise<void> {
    if (await this.#immediate('secrets')) return this.#now.putSecrets(connectionId, sealed);
    this.#others.push({ table: 'secrets', sql: this.#w.putSecrets(connectionId, sealed) });
  }

  async deleteSecrets(connectionId: string): Promise<void> {
    if (await this.#immediate('secrets')) return this.#now.deleteSecrets(connectionId);
    this.#others.push({ table: 'secrets', sql: this.#w.deleteSecrets(connectionId) });
  }

  async insertReconnectAttempt(attempt: ReconnectAttempt): Promise<void> {
    if (await this.#immediate('reconnectAttempts')) return this.#now.insertReconnectAttempt(attempt);
    this.#others.push({
      table: 'reconnectAttempts',
      sql: this.#w.insertReconnectAttempt(attempt),
      expect: 1,
    });
  }

  // ---- writes whose answer cannot be assumed: at once, in a promoted run ------------------------------

  async replaceSecrets(connectionId: string, expected: string, next: string): Promise<boolean> {
    await this.#promote();
    return this.#now.replaceSecrets(connectionId, expected, next);
  }

  async completeReconnectAttempt(
    nonce: string,
    outcome: CompletionOutcome,
    completedAt: Date,
  ): Promise<boolean> {
    await this.#promote();
    return this.#now.completeReconnectAttempt(nonce, outcome, completedAt);
  }

  async endReconnectAttempt(nonce: string, reason: ReconnectAttemptEnd, endedAt: Date): Promise<boolean> {
    await this.#promote();
    return this.#now.endReconnectAttempt(nonce, reason, endedAt);
  }

  async supersedeReconnectAttempts(connectionId: string, keepNonce: string, endedAt: Date): Promise<number> {
    await this.#promote();
    return this.#now.supersedeReconnectAttempts(connectionId, keepNonce, endedAt);
  }

  async claimOutbox(claim: OutboxClaim): Promise<readonly OutboxEntry[]> {
    await this.#promote();
    return this.#now.claimOutbox(claim);
  }

  async claimSweep(claim: SweepClaim): Promise<readonly Connection[]> {
    await this.#promote();
    return this.#now.claimSweep(claim);
  }

  async finishSweep(connectionId: string, owner: string, nextDueAt: Date): Promise<boolean> {
    await this.#promote();
    return this.#now.finishSweep(connectionId, owner, nextDueAt);
  }

  async markOutboxDelivered(eventId: string, owner: string, deliveredAt: Date): Promise<boolean> {
    await this.#promote();
    return this.#now.markOutboxDelivered(eventId, owner, deliveredAt);
  }

  async markOutboxFailed(
    eventId: string,
    owner: string,
    failure: { readonly nextAttemptAt: Date; readonly error: string },
  ): Promise<boolean> {
    await this.#promote();
    return this.#now.markOutboxFailed(eventId, owner, failure);
  }

  async pruneHistory(kind: HistoryKind, before: Date, limit: number): Promise<number> {
    await this.#promote();
    return this.#now.pruneHistory(kind, before, limit);
  }
}

/**
 * Why a deferred run's writes did not apply. `duplicates` is set when the inbound events were all already
 * recorded (committed; a concurrent recorder that rolled back would have let ours in), so a later run can answer
 * `false` for them directly. `current` is set when connections answered from memory had changed: their current
 * bodies (one that is gone or no longer live is simply absent). Either makes another deferred run worth it.
 */
export interface DeferredMiss {
  readonly duplicates?: ReadonlySet<string>;
  readonly current?: readonly Connection[];
}

interface FlushChecks {
  readonly inbound: readonly InboundRow[];
  /** Row counts each check expected, in order (the inbound check first when there is one). */
  readonly expected: readonly number[];
  /** Indexes of the checks that vouch for connections answered from memory. */
  readonly rememberedChecks: readonly number[];
}

function missFrom(
  error: unknown,
  { inbound, expected, rememberedChecks }: FlushChecks,
): DeferredMiss | undefined {
  const { code, detail } = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    detail?: unknown;
  };
  // A unique violation from a deferred write (an update giving two live connections one upstream id) is
  // reported by the classic run exactly like the classic store reports it.
  if (code === UNIQUE_VIOLATION) return {};
  if (code !== DEFERRED_MISS) return undefined;
  const reported = parseDetail(detail);
  // A detail this version cannot read (not from its own `expect_written`): redo the work classically.
  if (!reported) return {};
  const { written, current } = reported;
  const stale = rememberedChecks.some((check) => written[check] !== expected[check]);
  // The inbound insert is the first check: none of its pairs went in, so each one is already recorded (whatever
  // else missed followed from treating them as new).
  const duplicates =
    inbound.length > 0 && written[0] === 0
      ? new Set(inbound.map((row) => inboundKey(row.provider, row.eventId)))
      : undefined;
  return { ...(duplicates && { duplicates }), ...(stale && { current }) };
}

function parseDetail(detail: unknown): { written: number[]; current: Connection[] } | undefined {
  if (typeof detail !== 'string') return undefined;
  try {
    const parsed = JSON.parse(detail) as { written?: unknown; current?: unknown };
    return Array.isArray(parsed.written) && Array.isArray(parsed.current)
      ? { written: parsed.written as number[], current: parsed.current as Connection[] }
      : undefined;
  } catch {
    return undefined;
  }
}
