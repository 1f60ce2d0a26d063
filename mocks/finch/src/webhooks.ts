/**
 * Finch's webhook wire format: compact JSON bodies `{company_id, account_id, connection_id, entity_id,
 * event_type, data}` signed Standard-Webhooks style: `Finch-Signature: v1,<base64 HMAC-SHA256>` over
 * `"{Finch-Event-Id}.{Finch-Timestamp}.{body}"`, keyed with the base64-DECODED secret.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { MockContext, QueuedWebhook, WebhookScheme } from '@reconnect-kit/mock-engine';
import type { FinchConnection, FinchEntity, FinchState } from './domain/state.js';

export const finchWebhookScheme: WebhookScheme = {
  serialize(body) {
    return new TextEncoder().encode(JSON.stringify(body));
  },
  sign({ body, eventId, timestamp, secret }) {
    const seconds = Math.floor(timestamp.getTime() / 1000);
    const signed = createHmac('sha256', Buffer.from(secret, 'base64'))
      .update(`${eventId}.${seconds}.`)
      .update(body)
      .digest('base64');
    return {
      'Finch-Event-Id': eventId,
      'Finch-Timestamp': String(seconds),
      'Finch-Signature': `v1,${signed}`,
    };
  },
};

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `msg_` + 27 base62 characters, the shape of Finch's (Svix) event ids. */
export function finchEventId(): string {
  let id = '';
  for (const byte of randomBytes(27)) id += BASE62[byte % 62];
  return `msg_${id}`;
}

/** Queues one event about a connection (and one of its entities, the first by default) to the webhook target. */
export function enqueueConnectionEvent(
  ctx: MockContext<FinchState>,
  connection: FinchConnection,
  eventType: string,
  data: Record<string, unknown> | null,
  entity: FinchEntity = connection.entities[0]!,
): QueuedWebhook {
  return ctx.webhooks.enqueue({
    eventType,
    eventId: finchEventId(),
    body: {
      company_id: entity.companyId,
      account_id: connection.accountId,
      connection_id: connection.id,
      entity_id: entity.id,
      event_type: eventType,
      data,
    },
  });
}
