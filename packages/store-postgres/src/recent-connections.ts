import { type Connection, isLive } from '@reconnect-kit/core';

interface Entry {
  /** The body as stored: every hit parses a copy of its own, so a caller changing its copy changes nothing here. */
  readonly json: string;
  readonly upstreamKey: string;
}

const upstreamKeyOf = (provider: string, upstreamId: string) => `${provider}\u0000${upstreamId}`;

/**
 * Live connections this process committed or read lately, least recently used dropped first. A deferred
 * transaction answers a connection read from here instead of asking the database, and adds "this connection is
 * still live at this version" to the checks of its one write statement (see `DeferredOps`): an entry made stale
 * by another instance costs a redo of the transaction, never a wrong answer. So a webhook about a connection
 * seen before costs one round trip.
 */
export class RecentConnections {
  readonly #capacity: number;
  readonly #byId = new Map<string, Entry>();
  readonly #idByUpstream = new Map<string, string>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get(connectionId: string): Connection | undefined {
    const entry = this.#byId.get(connectionId);
    if (!entry) return undefined;
    // Re-inserting moves the entry to the young end of the map's order.
    this.#byId.delete(connectionId);
    this.#byId.set(connectionId, entry);
    return JSON.parse(entry.json) as Connection;
  }

  /** The live connection with this upstream id, as `findByUpstream` would answer while the entry holds. */
  findByUpstream(provider: string, upstreamId: string): Connection | undefined {
    const id = this.#idByUpstream.get(upstreamKeyOf(provider, upstreamId));
    return id === undefined ? undefined : this.get(id);
  }

  /**
   * Keeps a committed (or freshly read) state; a connection that is no longer live is dropped instead. `json`:
   * the connection's JSON when the caller has it already (the write that stored it sent it).
   */
  remember(connection: Connection, json?: string): void {
    this.forget(connection.id);
    if (this.#capacity === 0 || !isLive(connection)) return;
    const upstreamKey = upstreamKeyOf(connection.provider, connection.upstreamId);
    this.#byId.set(connection.id, { json: json ?? JSON.stringify(connection), upstreamKey });
    this.#idByUpstream.set(upstreamKey, connection.id);
    if (this.#byId.size > this.#capacity) {
      const oldest = this.#byId.keys().next().value;
      if (oldest !== undefined) this.forget(oldest);
    }
  }

  forget(connectionId: string): void {
    const entry = this.#byId.get(connectionId);
    if (!entry) return;
    this.#byId.delete(connectionId);
    if (this.#idByUpstream.get(entry.upstreamKey) === connectionId)
      this.#idByUpstream.delete(entry.upstreamKey);
  }

  get size(): number {
    return this.#byId.size;
  }
}
