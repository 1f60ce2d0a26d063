import { createHash } from 'node:crypto';
import type { ConnectionEventType } from './types.js';

/**
 * Stable event id: the same applied change (connection, version it produced, event type, optional
 * discriminator such as a reconnect nonce) always yields the same id, so a replayed transaction or a
 * redelivered outbox entry keeps its id and consumers can dedupe on it.
 */
export function eventIdFor(
  connectionId: string,
  version: number,
  type: ConnectionEventType,
  discriminator = '',
): string {
  const digest = createHash('sha256')
    .update(`${connectionId}\u0000${version}\u0000${type}\u0000${discriminator}`)
    .digest('base64url');
  return `evt_${digest.slice(0, 32)}`;
}
