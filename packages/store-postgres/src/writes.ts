import {
  type Connection,
  type ConnectionEvent,
  conflict,
  type IgnoredSignal,
  isLive,
  type ReconnectAttempt,
} from '@reconnect-kit/core';
import type { Tables } from './tables.js';

/**
 * The store's writes as SQL builders: each takes a parameter allocator (`p(value)` returns `$n`), so the same
 * text runs as a statement of its own (`PostgresOps`) or as one sub-statement of a deferred transaction's single
 * write statement (`DeferredOps`). Writes that may be batched take lists of rows.
 */
export type Param = (value: unknown) => string;
export type WriteSql = (p: Param) => string;

/** JSON goes in as text: pg would turn a top-level array into a PostgreSQL array instead. */
export const json = (value: unknown): string => JSON.stringify(value);

export interface InboundRow {
  readonly provider: string;
  readonly eventId: string;
  readonly receivedAt: Date;
}

export interface OutboxRowInput {
  readonly event: ConnectionEvent;
  readonly availableAt: Date;
}

/** The version rule of `updateConnection`, checked before anything is sent. */
export function checkNextVersion(connection: Connection, expectedVersion: number): void {
  if (connection.version !== expectedVersion + 1) {
    throw conflict('The new version must be the expected version + 1.', { connectionId: connection.id });
  }
}

/** Placeholders of a connection's columns, in table order (id … body); `body` is its JSON. */
function connectionParams(connection: Connection, p: Param, body: string): string[] {
  return [
    p(connection.id),
    p(connection.provider),
    p(connection.hostUserId),
    p(connection.upstreamId),
    p(connection.upstreamParentId ?? null),
    p(connection.state),
    p(isLive(connection)),
    p(connection.createdAt),
    p(connection.version),
    `${p(body)}::jsonb`,
  ];
}

export function writesFor(t: Tables) {
  return {
    /**
     * ON CONFLICT without a target covers the primary key and the live-upstream index alike. `body`: the
     * connection's JSON when the caller has it already.
     */
    insertConnection:
      (connection: Connection, body = json(connection)): WriteSql =>
      (p) =>
        `INSERT INTO ${t.connections} (id, provider, host_user_id, upstream_id, upstream_parent_id, state, live,
       created_at, version, body) VALUES (${connectionParams(connection, p, body).join(', ')}) ON CONFLICT DO NOTHING`,

    updateConnection:
      (connection: Connection, expectedVersion: number, body = json(connection)): WriteSql =>
      (p) => {
        const [id, provider, host, upstream, parent, state, live, createdAt, version, bodyParam] =
          connectionParams(connection, p, body);
        return `UPDATE ${t.connections} SET provider = ${provider}, host_user_id = ${host}, upstream_id = ${upstream},
         upstream_parent_id = ${parent}, state = ${state}, live = ${live}, created_at = ${createdAt},
         version = ${version}, body = ${bodyParam} WHERE id = ${id} AND version = ${p(expectedVersion)}`;
      },

    /**
     * Each remembered connection's current body, and whether it is still live at the remembered version: one
     * primary-key lookup per connection. Not a join with `unnest` of arrays: the generic plan of that assumes ten
     * rows, looks dearer than a custom one, and PostgreSQL then re-plans the whole write statement on every
     * delivery (0.3 ms of its bind).
     */
    rememberedConnections:
      (versions: ReadonlyMap<string, number>): WriteSql =>
      (p) =>
        [...versions]
          .map(
            ([id, version]) =>
              `SELECT body, live AND version = ${p(version)}::int AS held FROM ${t.connections} WHERE id = ${p(id)}`,
          )
          .join(' UNION ALL '),

    /**
     * A pair already recorded (or being recorded by a concurrent transaction that then commits) inserts nothing.
     * The columns are named: a `SELECT *` would keep every statement holding this one from being prepared.
     */
    recordInboundEvents:
      (rows: readonly InboundRow[]): WriteSql =>
      (p) =>
        `INSERT INTO ${t.inboundEvents} (provider, event_id, received_at)
       SELECT provider, event_id, received_at
       FROM unnest(${p(rows.map((r) => r.provider))}::text[], ${p(rows.map((r) => r.eventId))}::text[],
         ${p(rows.map((r) => r.receivedAt))}::timestamptz[]) AS e(provider, event_id, received_at)
       ON CONFLICT DO NOTHING`,

    recordIgnoredSignals:
      (signals: readonly IgnoredSignal[]): WriteSql =>
      (p) =>
        `INSERT INTO ${t.ignoredSignals} (provider, connection_id, recorded_at, body)
       SELECT provider, connection_id, recorded_at, body::jsonb
       FROM unnest(${p(signals.map((s) => s.provider))}::text[], ${p(signals.map((s) => s.connectionId ?? null))}::text[],
         ${p(signals.map((s) => s.recordedAt))}::timestamptz[], ${p(signals.map(json))}::text[])
         WITH ORDINALITY AS s(provider, connection_id, recorded_at, body, n)
       ORDER BY n`,

    /** In the given order (sequence numbers follow it); an event id already in the outbox is skipped. */
    appendOutbox:
      (rows: readonly OutboxRowInput[]): WriteSql =>
      (p) =>
        // The events go as one JSON array: a text[] of JSON would be escaped element by element, in JS and back.
        `INSERT INTO ${t.outbox} (event_id, body, next_attempt_at)
       SELECT body->>'id', body, available_at
       FROM ROWS FROM (jsonb_array_elements(${p(json(rows.map((r) => r.event)))}::jsonb),
         unnest(${p(rows.map((r) => r.availableAt))}::timestamptz[])) WITH ORDINALITY AS e(body, available_at, n)
       ORDER BY n
       ON CONFLICT (event_id) DO NOTHING`,

    putSecrets:
      (connectionId: string, sealed: string): WriteSql =>
      (p) =>
        `INSERT INTO ${t.secrets} (connection_id, sealed) VALUES (${p(connectionId)}, ${p(sealed)})
       ON CONFLICT (connection_id) DO UPDATE SET sealed = excluded.sealed`,

    deleteSecrets:
      (connectionId: string): WriteSql =>
      (p) =>
        `DELETE FROM ${t.secrets} WHERE connection_id = ${p(connectionId)}`,

    insertReconnectAttempt:
      (attempt: ReconnectAttempt): WriteSql =>
      (p) =>
        `INSERT INTO ${t.reconnectAttempts} (nonce, connection_id, provider, created_at, expires_at, outcome,
       completed_at, return_to, end_reason, ended_at) VALUES (${p(attempt.nonce)}, ${p(attempt.connectionId)},
       ${p(attempt.provider)}, ${p(attempt.createdAt)}, ${p(attempt.expiresAt)},
       ${p(attempt.outcome ? json(attempt.outcome) : null)}::jsonb, ${p(attempt.completedAt ?? null)},
       ${p(attempt.returnTo ?? null)}, ${p(attempt.endReason ?? null)}, ${p(attempt.endedAt ?? null)})
       ON CONFLICT (nonce) DO NOTHING`,
  };
}

export type Writes = ReturnType<typeof writesFor>;

/** Builds one statement's text and values. */
export function statement(sql: WriteSql): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const text = sql((value) => {
    values.push(value);
    return `$${values.length}`;
  });
  return { text, values };
}
