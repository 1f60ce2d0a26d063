import { hash } from 'node:crypto';
import type { ConnectionEventType } from './types.js';

/** The change an event id is derived from: the connection as written by that change. */
export interface EventIdSource {
  readonly id: string;
  readonly version: number;
  /** When the change was written (ISO 8601); it leads the id so ids sort by time. */
  readonly updatedAt: string;
}

/**
 * Stable event id: the same applied change (connection, version it produced, event type, optional
 * discriminator such as a reconnect nonce) always yields the same id, so a redelivered outbox entry keeps its id
 * and consumers can dedupe on it. The id starts with the change's time (12 hex digits of epoch ms), so new ids
 * land at the end of the outbox's unique index instead of on a random page of it.
 */
export function eventIdFor(change: EventIdSource, type: ConnectionEventType, discriminator = ''): string {
  // One-shot hash: no Hash object per id (this runs for every event of every ingested webhook).
  const digest = hash(
    'sha256',
    `${change.id}\u0000${change.version}\u0000${type}\u0000${discriminator}`,
    'base64url',
  );
  return `evt_${sortableTime(change.updatedAt)}${digest.slice(0, 22)}`;
}

/** Epoch milliseconds as 12 hex digits (sorts as text until the year 10889); 0 for an unparsable time. */
export function sortableTime(iso: string): string {
  // The events of one change share its time: remembering the last answer spares most of the parsing.
  if (iso === lastTime.iso) return lastTime.hex;
  const ms = Date.parse(iso);
  const hex = (Number.isFinite(ms) && ms > 0 ? ms : 0).toString(16).padStart(12, '0');
  lastTime = { iso, hex };
  return hex;
}

let lastTime = { iso: '', hex: '' };
