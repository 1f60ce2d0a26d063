/**
 * The host's own record of connection events, fed by `service.subscribe` (outbox delivery is at-least-once, so
 * events are deduplicated by id). The dashboard reads each connection's history from it, and live listeners
 * (server-sent events) hear about every new event.
 */
import type { ConnectionEvent } from '@reconnect-kit/core';

/** Events kept per connection and in the recent list (newest first); older ones fall off. */
const HISTORY_LIMIT = 30;
const RECENT_LIMIT = 8;

export type ActivityListener = (event: ConnectionEvent) => void;

export interface AccountMismatch {
  readonly at: string;
  readonly expected: { readonly upstreamId?: string; readonly upstreamParentId?: string };
  readonly actual: { readonly upstreamId?: string; readonly upstreamParentId?: string };
}

export class ActivityFeed {
  readonly #history = new Map<string, ConnectionEvent[]>();
  readonly #seen = new Set<string>();
  #recent: ConnectionEvent[] = [];
  readonly #listeners = new Set<ActivityListener>();

  record(event: ConnectionEvent): void {
    if (this.#seen.has(event.id)) return;
    this.#seen.add(event.id);
    const list = this.#history.get(event.connectionId) ?? [];
    list.unshift(event);
    const dropped = list.splice(HISTORY_LIMIT);
    for (const old of dropped) this.#seen.delete(old.id);
    this.#history.set(event.connectionId, list);
    this.#recent = [event, ...this.#recent].slice(0, RECENT_LIMIT);
    for (const listener of this.#listeners) listener(event);
  }

  /** Newest first. */
  history(connectionId: string): readonly ConnectionEvent[] {
    return this.#history.get(connectionId) ?? [];
  }

  /** The latest events of every connection, newest first. */
  recent(): readonly ConnectionEvent[] {
    return this.#recent;
  }

  /**
   * The last reconnect that landed on another account (Finch: another company), unless the connection recovered
   * since. The service only moves the connection back to its problem state on a mismatch (the badge looks as
   * before the reconnect), so the page must say what happened.
   */
  pendingMismatch(connectionId: string): AccountMismatch | undefined {
    for (const event of this.history(connectionId)) {
      if (event.type === 'connection.recovered') return undefined;
      if (event.type === 'connection.account_mismatch') {
        const data = (event.data ?? {}) as Partial<Pick<AccountMismatch, 'expected' | 'actual'>>;
        return { at: event.occurredAt, expected: data.expected ?? {}, actual: data.actual ?? {} };
      }
    }
    return undefined;
  }

  listen(listener: ActivityListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
}
