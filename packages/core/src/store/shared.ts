import { ReconnectKitError } from '../errors.js';
import type { Connection } from '../service-api.js';
import { TERMINAL_STATES } from '../types.js';
import type { StoreListQuery } from './port.js';

/** Helpers shared by the store implementations (cursor format, limits, the in-process mutexes). */

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export function pageSize(query: StoreListQuery): number {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new ReconnectKitError('invalid_input', {
      message: `limit must be an integer from 1 to ${MAX_PAGE_SIZE}.`,
      details: { field: 'limit' },
    });
  }
  return limit;
}

export interface ListPosition {
  readonly createdAt: string;
  readonly id: string;
}

/** Opaque keyset cursor: base64url of the last row's (createdAt, id). */
export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): ListPosition {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((part) => typeof part === 'string')) {
      return { createdAt: parsed[0] as string, id: parsed[1] as string };
    }
  } catch {
    // fall through to the error below
  }
  throw new ReconnectKitError('invalid_input', {
    message: 'The cursor is malformed.',
    details: { field: 'cursor' },
  });
}

export function isAfter(connection: ListPosition, position: ListPosition): boolean {
  return (
    connection.createdAt > position.createdAt ||
    (connection.createdAt === position.createdAt && connection.id > position.id)
  );
}

export function isLive(connection: Pick<Connection, 'state'>): boolean {
  return !TERMINAL_STATES.includes(connection.state);
}

export function conflict(message: string, details: Record<string, unknown>): ReconnectKitError {
  return new ReconnectKitError('store_conflict', { message, details });
}

/**
 * Why a versioned `updateConnection` changed no row: the connection does not exist (`connection_not_found`) or
 * another writer moved its version on (`store_conflict`).
 */
export function missedUpdate(
  connectionId: string,
  expectedVersion: number,
  exists: boolean,
): ReconnectKitError {
  if (!exists) return new ReconnectKitError('connection_not_found', { details: { connectionId } });
  return conflict('The connection was changed concurrently.', { connectionId, expectedVersion });
}

/** A FIFO async mutex: `run` calls execute one at a time in call order. */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

/** One mutex per key, dropped when idle so the map does not grow with every connection ever locked. */
export class KeyedMutex {
  readonly #locks = new Map<string, { mutex: Mutex; users: number }>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let entry = this.#locks.get(key);
    if (!entry) {
      entry = { mutex: new Mutex(), users: 0 };
      this.#locks.set(key, entry);
    }
    entry.users += 1;
    try {
      return await entry.mutex.run(fn);
    } finally {
      entry.users -= 1;
      if (entry.users === 0) this.#locks.delete(key);
    }
  }
}
