import {
  type CompletionOutcome,
  type Connection,
  type ConnectionEvent,
  type ConnectionPage,
  type ConnectionState,
  type ConnectionStoreOps,
  conflict,
  decodeCursor,
  encodeCursor,
  type HistoryKind,
  type IgnoredSignal,
  type IgnoredSignalQuery,
  missedUpdate,
  type OpenAttemptQuery,
  type OutboxClaim,
  type OutboxEntry,
  type OutboxQuery,
  pageSize,
  type ReconnectAttempt,
  type ReconnectAttemptEnd,
  ReconnectKitError,
  type SealedSecretRow,
  type StoreListQuery,
  type SweepClaim,
} from '@reconnect-kit/core';
import type { QueryResult, QueryResultRow } from 'pg';
import type { RecentConnections } from './recent-connections.js';
import type { Tables } from './tables.js';
import { checkNextVersion, json, statement, type WriteSql, type Writes, writesFor } from './writes.js';

/** What the operations need from a pool or a checked-out client. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

const UNIQUE_VIOLATION = '23505';

function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION
  );
}

const iso = (value: Date | null | undefined): string | undefined => value?.toISOString();

interface OutboxRow {
  seq: string;
  body: ConnectionEvent;
  attempts: number;
  next_attempt_at: Date;
  delivered_at: Date | null;
  lease_owner: string | null;
  lease_until: Date | null;
  last_error: string | null;
}

function outboxEntry(row: OutboxRow): OutboxEntry {
  return {
    event: row.body,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at.toISOString(),
    deliveredAt: iso(row.delivered_at),
    leaseOwner: row.lease_owner ?? undefined,
    leaseUntil: iso(row.lease_until),
    lastError: row.last_error ?? undefined,
  };
}

interface AttemptRow {
  nonce: string;
  connection_id: string;
  provider: string;
  created_at: Date;
  expires_at: Date;
  outcome: CompletionOutcome | null;
  completed_at: Date | null;
  return_to: ConnectionState | null;
  end_reason: ReconnectAttemptEnd | null;
  ended_at: Date | null;
}

function attemptFrom(row: AttemptRow): ReconnectAttempt {
  return {
    nonce: row.nonce,
    connectionId: row.connection_id,
    provider: row.provider,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    outcome: row.outcome ?? undefined,
    completedAt: iso(row.completed_at),
    returnTo: row.return_to ?? undefined,
    endReason: row.end_reason ?? undefined,
    endedAt: iso(row.ended_at),
  };
}

/**
 * The store operations as SQL against one `Queryable`: the pool (each call is its own statement, hence
 * atomic) or the client of an open transaction. Every multi-row write is a single statement for that reason.
 */
export class PostgresOps implements ConnectionStoreOps {
  readonly #db: Queryable;
  readonly #t: Tables;
  readonly #w: Writes;
  readonly #recent: RecentConnections | undefined;

  /** `recent`: what this process remembers of connections, forgotten for each connection written here. */
  constructor(db: Queryable, tables: Tables, recent?: RecentConnections) {
    this.#db = db;
    this.#t = tables;
    this.#w = writesFor(tables);
    this.#recent = recent;
  }

  /** Runs one write builder as its own statement; resolves to the number of rows it wrote. */
  async #write(sql: WriteSql): Promise<number> {
    const { text, values } = statement(sql);
    const { rowCount } = await this.#db.query(text, values);
    return rowCount ?? 0;
  }

  async #connection(text: string, values: unknown[]): Promise<Connection | undefined> {
    const { rows } = await this.#db.query<{ body: Connection }>(text, values);
    return rows[0]?.body;
  }

  getConnection(connectionId: string): Promise<Connection | undefined> {
    return this.#connection(`SELECT body FROM ${this.#t.connections} WHERE id = $1`, [connectionId]);
  }

  findByUpstream(provider: string, upstreamId: string): Promise<Connection | undefined> {
    return this.#connection(
      `SELECT body FROM ${this.#t.connections} WHERE provider = $1 AND upstream_id = $2
       ORDER BY live DESC, created_at DESC, id DESC LIMIT 1`,
      [provider, upstreamId],
    );
  }

  findLatestByUpstreamParent(
    provider: string,
    upstreamParentId: string,
    states: readonly ConnectionState[],
  ): Promise<Connection | undefined> {
    return this.#connection(
      `SELECT body FROM ${this.#t.connections}
       WHERE provider = $1 AND upstream_parent_id = $2 AND state = ANY($3::text[])
       ORDER BY created_at DESC, id DESC LIMIT 1`,
      [provider, upstreamParentId, [...states]],
    );
  }

  /** `body`: the connection's JSON when the caller has it already. */
  async insertConnection(connection: Connection, body?: string): Promise<void> {
    this.#recent?.forget(connection.id);
    // ON CONFLICT keeps an enclosing transaction usable (a raised unique violation would abort it).
    if ((await this.#write(this.#w.insertConnection(connection, body))) !== 1) {
      throw conflict('A connection with this id or live upstream id exists.', {
        connectionId: connection.id,
      });
    }
  }

  /** `body`: the connection's JSON when the caller has it already. */
  async updateConnection(connection: Connection, expectedVersion: number, body?: string): Promise<void> {
    checkNextVersion(connection, expectedVersion);
    // Forgotten before the write: whether it commits is not known here (it may be inside a transaction).
    this.#recent?.forget(connection.id);
    let updated: number;
    try {
      updated = await this.#write(this.#w.updateConnection(connection, expectedVersion, body));
    } catch (error) {
      // Inside a transaction this aborts it; callers retry the whole transaction on store_conflict.
      if (isUniqueViolation(error)) {
        throw conflict('Another live connection has this upstream id.', { connectionId: connection.id });
      }
      throw error;
    }
    if (updated === 1) return;
    const { rowCount } = await this.#db.query(`SELECT 1 FROM ${this.#t.connections} WHERE id = $1`, [
      connection.id,
    ]);
    throw missedUpdate(connection.id, expectedVersion, rowCount !== 0);
  }

  async listConnections(query: StoreListQuery): Promise<ConnectionPage> {
    const limit = pageSize(query);
    const where: string[] = [];
    const values: unknown[] = [];
    const param = (value: unknown): string => {
      values.push(value);
      return `$${values.length}`;
    };
    if (query.provider !== undefined) where.push(`provider = ${param(query.provider)}`);
    if (query.hostUserId !== undefined) where.push(`host_user_id = ${param(query.hostUserId)}`);
    if (query.states !== undefined) where.push(`state = ANY(${param([...query.states])}::text[])`);
    if (query.cursor !== undefined) {
      const after = decodeCursor(query.cursor);
      const createdAt = new Date(after.createdAt);
      if (Number.isNaN(createdAt.getTime())) {
        throw new ReconnectKitError('invalid_input', {
          message: 'The cursor is malformed.',
          details: { field: 'cursor' },
        });
      }
      where.push(`(created_at, id) > (${param(createdAt)}::timestamptz, ${param(after.id)})`);
    }
    const { rows } = await this.#db.query<{ body: Connection }>(
      `SELECT body FROM ${this.#t.connections} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at, id LIMIT ${param(limit + 1)}`,
      values,
    );
    const items = rows.slice(0, limit).map((row) => row.body);
    const last = items.at(-1);
    return rows.length > limit && last ? { items, nextCursor: encodeCursor(last) } : { items };
  }

  async recordInboundEvent(provider: string, eventId: string, receivedAt: Date): Promise<boolean> {
    // A concurrent insert of the same key waits for the first transaction: DO NOTHING if it commits,
    // insert if it rolls back.
    return (await this.#write(this.#w.recordInboundEvents([{ provider, eventId, receivedAt }]))) === 1;
  }

  async recordIgnoredSignal(signal: IgnoredSignal): Promise<void> {
    await this.#write(this.#w.recordIgnoredSignals([signal]));
  }

  async listIgnoredSignals(query: IgnoredSignalQuery): Promise<readonly IgnoredSignal[]> {
    const { rows } = await this.#db.query<{ body: IgnoredSignal }>(
      `SELECT body FROM ${this.#t.ignoredSignals}
       WHERE ($1::text IS NULL OR provider = $1) AND ($2::text IS NULL OR connection_id = $2)
       ORDER BY seq DESC LIMIT $3`,
      [query.provider ?? null, query.connectionId ?? null, query.limit ?? 100],
    );
    return rows.map((row) => row.body);
  }

  async appendOutbox(events: readonly ConnectionEvent[], availableAt: Date): Promise<void> {
    if (events.length === 0) return;
    await this.#write(this.#w.appendOutbox(events.map((event) => ({ event, availableAt }))));
  }

  async pruneHistory(kind: HistoryKind, before: Date, limit: number): Promise<number> {
    // Oldest first: outbox and journal rows by seq (time order), dedupe rows through their received_at index.
    const t = this.#t;
    const statement = {
      delivered_events: `DELETE FROM ${t.outbox} WHERE seq IN (SELECT seq FROM ${t.outbox}
        WHERE delivered_at IS NOT NULL AND delivered_at < $1 ORDER BY seq LIMIT $2)`,
      inbound_events: `DELETE FROM ${t.inboundEvents} WHERE (provider, event_id) IN (SELECT provider, event_id
        FROM ${t.inboundEvents} WHERE received_at < $1 ORDER BY received_at LIMIT $2)`,
      ignored_signals: `DELETE FROM ${t.ignoredSignals} WHERE seq IN (SELECT seq FROM ${t.ignoredSignals}
        WHERE recorded_at < $1 ORDER BY seq LIMIT $2)`,
    }[kind];
    const { rowCount } = await this.#db.query(statement, [before, limit]);
    return rowCount ?? 0;
  }

  async claimOutbox(claim: OutboxClaim): Promise<readonly OutboxEntry[]> {
    const leaseUntil = new Date(claim.now.getTime() + claim.leaseMs);
    const { rows } = await this.#db.query<OutboxRow>(
      `WITH due AS (
         SELECT seq FROM ${this.#t.outbox}
         WHERE delivered_at IS NULL AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
         ORDER BY seq LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE ${this.#t.outbox} AS o SET lease_owner = $3, lease_until = $4
       FROM due WHERE o.seq = due.seq
       RETURNING o.*`,
      [claim.now, claim.limit, claim.owner, leaseUntil],
    );
    return rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map(outboxEntry);
  }

  async claimSweep(claim: SweepClaim): Promise<readonly Connection[]> {
    const t = this.#t;
    // SKIP LOCKED: concurrent sweepers take different batches; the conflict clause re-checks the lease on the
    // latest row version, so a connection is never handed to two sweepers while its lease holds.
    const { rows } = await this.#db.query<{ body: Connection }>(
      `WITH due AS (
         SELECT c.id, s.due_at FROM ${t.connections} c LEFT JOIN ${t.sweepState} s ON s.connection_id = c.id
         WHERE c.state = ANY($1::text[]) AND ($2::text IS NULL OR c.provider = $2)
           AND (s.connection_id IS NULL OR (s.due_at <= $3 AND (s.lease_until IS NULL OR s.lease_until <= $3)))
         ORDER BY s.due_at NULLS FIRST, c.id
         LIMIT $4
         FOR UPDATE OF c SKIP LOCKED
       ), claimed AS (
         INSERT INTO ${t.sweepState} AS s (connection_id, due_at, lease_owner, lease_until)
         SELECT id, COALESCE(due_at, $3), $5, $6 FROM due
         ON CONFLICT (connection_id) DO UPDATE SET lease_owner = excluded.lease_owner,
           lease_until = excluded.lease_until
         WHERE s.due_at <= $3 AND (s.lease_until IS NULL OR s.lease_until <= $3)
         RETURNING connection_id, due_at
       )
       SELECT c.body FROM ${t.connections} c JOIN claimed ON claimed.connection_id = c.id
       ORDER BY claimed.due_at, c.id`,
      [
        [...claim.states],
        claim.provider ?? null,
        claim.now,
        claim.limit,
        claim.owner,
        new Date(claim.now.getTime() + claim.leaseMs),
      ],
    );
    return rows.map((row) => row.body);
  }

  async finishSweep(connectionId: string, owner: string, nextDueAt: Date): Promise<boolean> {
    const { rowCount } = await this.#db.query(
      `UPDATE ${this.#t.sweepState} SET due_at = $3, lease_owner = NULL, lease_until = NULL
       WHERE connection_id = $1 AND lease_owner = $2`,
      [connectionId, owner, nextDueAt],
    );
    return rowCount === 1;
  }

  async markOutboxDelivered(eventId: string, owner: string, deliveredAt: Date): Promise<boolean> {
    const { rowCount } = await this.#db.query(
      `UPDATE ${this.#t.outbox} SET delivered_at = $3, lease_owner = NULL, lease_until = NULL
       WHERE event_id = $1 AND lease_owner = $2 AND delivered_at IS NULL`,
      [eventId, owner, deliveredAt],
    );
    return rowCount === 1;
  }

  async markOutboxFailed(
    eventId: string,
    owner: string,
    failure: { readonly nextAttemptAt: Date; readonly error: string },
  ): Promise<boolean> {
    const { rowCount } = await this.#db.query(
      `UPDATE ${this.#t.outbox} SET attempts = attempts + 1, next_attempt_at = $3, last_error = $4,
       lease_owner = NULL, lease_until = NULL
       WHERE event_id = $1 AND lease_owner = $2 AND delivered_at IS NULL`,
      [eventId, owner, failure.nextAttemptAt, failure.error],
    );
    return rowCount === 1;
  }

  async listOutbox(query: OutboxQuery): Promise<readonly OutboxEntry[]> {
    const filter =
      query.status === 'delivered'
        ? 'WHERE delivered_at IS NOT NULL'
        : query.status === 'pending'
          ? 'WHERE delivered_at IS NULL'
          : '';
    const { rows } = await this.#db.query<OutboxRow>(
      `SELECT * FROM ${this.#t.outbox} ${filter} ORDER BY seq LIMIT $1`,
      [query.limit ?? 100],
    );
    return rows.map(outboxEntry);
  }

  async putSecrets(connectionId: string, sealed: string): Promise<void> {
    await this.#write(this.#w.putSecrets(connectionId, sealed));
  }

  async getSecrets(connectionId: string): Promise<string | undefined> {
    const { rows } = await this.#db.query<{ sealed: string }>(
      `SELECT sealed FROM ${this.#t.secrets} WHERE connection_id = $1`,
      [connectionId],
    );
    return rows[0]?.sealed;
  }

  async replaceSecrets(connectionId: string, expected: string, next: string): Promise<boolean> {
    const { rowCount } = await this.#db.query(
      `UPDATE ${this.#t.secrets} SET sealed = $3 WHERE connection_id = $1 AND sealed = $2`,
      [connectionId, expected, next],
    );
    return rowCount === 1;
  }

  async deleteSecrets(connectionId: string): Promise<void> {
    await this.#write(this.#w.deleteSecrets(connectionId));
  }

  async listSecrets(
    afterConnectionId: string | undefined,
    limit: number,
  ): Promise<readonly SealedSecretRow[]> {
    const { rows } = await this.#db.query<{ connection_id: string; sealed: string }>(
      `SELECT connection_id, sealed FROM ${this.#t.secrets}
       WHERE ($1::text IS NULL OR connection_id > $1) ORDER BY connection_id LIMIT $2`,
      [afterConnectionId ?? null, limit],
    );
    return rows.map((row) => ({ connectionId: row.connection_id, sealed: row.sealed }));
  }

  async insertReconnectAttempt(attempt: ReconnectAttempt): Promise<void> {
    if ((await this.#write(this.#w.insertReconnectAttempt(attempt))) !== 1) {
      throw conflict('A reconnect attempt with this nonce exists.', { connectionId: attempt.connectionId });
    }
  }

  async getReconnectAttempt(nonce: string): Promise<ReconnectAttempt | undefined> {
    const { rows } = await this.#db.query<AttemptRow>(
      `SELECT * FROM ${this.#t.reconnectAttempts} WHERE nonce = $1`,
      [nonce],
    );
    return rows[0] ? attemptFrom(rows[0]) : undefined;
  }

  async completeReconnectAttempt(
    nonce: string,
    outcome: CompletionOutcome,
    completedAt: Date,
  ): Promise<boolean> {
    const { rowCount } = await this.#db.query(
      `UPDATE ${this.#t.reconnectAttempts} SET outcome = $2::jsonb, completed_at = $3
       WHERE nonce = $1 AND outcome IS NULL`,
      [nonce, json(outcome), completedAt],
    );
    return rowCount === 1;
  }

  async endReconnectAttempt(nonce: string, reason: ReconnectAttemptEnd, endedAt: Date): Promise<boolean> {
    const { rowCount } = await this.#db.query(
      `UPDATE ${this.#t.reconnectAttempts} SET end_reason = $2, ended_at = $3
       WHERE nonce = $1 AND outcome IS NULL AND end_reason IS NULL`,
      [nonce, reason, endedAt],
    );
    return rowCount === 1;
  }

  async supersedeReconnectAttempts(connectionId: string, keepNonce: string, endedAt: Date): Promise<number> {
    const { rowCount } = await this.#db.query(
      `UPDATE ${this.#t.reconnectAttempts} SET end_reason = 'superseded', ended_at = $3
       WHERE connection_id = $1 AND nonce <> $2 AND outcome IS NULL AND end_reason IS NULL`,
      [connectionId, keepNonce, endedAt],
    );
    return rowCount ?? 0;
  }

  async listOpenReconnectAttempts(query: OpenAttemptQuery): Promise<readonly ReconnectAttempt[]> {
    const { rows } = await this.#db.query<AttemptRow>(
      `SELECT * FROM ${this.#t.reconnectAttempts} WHERE outcome IS NULL AND end_reason IS NULL
       AND ($1::text IS NULL OR connection_id = $1) AND ($2::timestamptz IS NULL OR expires_at <= $2)
       ORDER BY expires_at, nonce LIMIT $3`,
      [query.connectionId ?? null, query.expiredBy ?? null, query.limit],
    );
    return rows.map(attemptFrom);
  }
}
