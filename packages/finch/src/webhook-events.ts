import { type ProviderEvent, ReconnectKitError, type VerifiedWebhook } from '@reconnect-kit/core';
import { z } from 'zod';
import {
  type AccountUpdateEvent,
  type BaseWebhookEvent,
  type FinchWebhookEvent,
  webhookEventSchema,
} from './generated/webhook-event.js';
import { signalForFinchStatus } from './status-table.js';
import { FINCH_WEBHOOK_HEADERS } from './webhook-signature.js';

type EventDefinition = { allOf?: { properties?: { event_type?: { const?: string; enum?: string[] } } }[] };

/** A validator for one `$defs` entry of the webhook schema (so errors point at the field, not at a union). */
function definitionSchema<T>(name: string): z.ZodType<T> {
  return z.fromJSONSchema({
    ...webhookEventSchema,
    anyOf: undefined,
    $ref: `#/$defs/${name}`,
  }) as z.ZodType<T>;
}

/** Each event type the schema describes (read from its branches' `event_type`) → that branch's validator. */
const EVENT_SCHEMAS: ReadonlyMap<string, z.ZodType<FinchWebhookEvent>> = new Map(
  Object.entries((webhookEventSchema as { $defs: Record<string, EventDefinition> }).$defs).flatMap(
    ([name, definition]) => {
      const eventType = definition.allOf?.[1]?.properties?.event_type;
      const types = eventType?.const !== undefined ? [eventType.const] : (eventType?.enum ?? []);
      const schema = types.length > 0 ? definitionSchema<FinchWebhookEvent>(name) : undefined;
      return types.map((type) => [type, schema] as [string, z.ZodType<FinchWebhookEvent>]);
    },
  ),
);
/** Event types Finch adds later (or the dashboard's `test`) are recorded, not rejected: only the common fields must hold. */
const BASE_EVENT = definitionSchema<BaseWebhookEvent>('BaseWebhookEvent');

/**
 * Normalises one verified Finch webhook into one event. Only `account.updated` carries a connection signal; job
 * completions (whose outcome, e.g. `reauth_error`, needs a GET of `job_url`), data events and unknown types are recorded
 * without one.
 */
export function parseFinchWebhook(webhook: VerifiedWebhook): ProviderEvent[] {
  const eventType = (webhook.body as { event_type?: unknown } | null)?.event_type;
  const schema = (typeof eventType === 'string' && EVENT_SCHEMAS.get(eventType)) || BASE_EVENT;
  const parsed = schema.safeParse(webhook.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ReconnectKitError('webhook_payload_invalid', {
      message: `The Finch webhook body does not match its schema at "${(issue?.path ?? []).join('.') || '(root)'}": ${issue?.message ?? 'invalid'}.`,
      details: { eventType: typeof eventType === 'string' ? eventType : null },
    });
  }
  const event: FinchWebhookEvent | BaseWebhookEvent = parsed.data;
  const accountUpdate = isAccountUpdate(event);
  const eventId = webhook.vendorEventId ?? webhook.headers.get(FINCH_WEBHOOK_HEADERS.eventId);
  if (!eventId)
    throw new ReconnectKitError('webhook_payload_invalid', { message: 'The Finch webhook has no event id.' });
  return [
    {
      eventId,
      provider: webhook.provider,
      vendorType: event.event_type,
      // Older events identify the connection only by the deprecated account id.
      upstreamId: event.connection_id ?? event.account_id,
      upstreamParentId: event.company_id,
      occurredAt: occurredAt(webhook),
      signal: accountUpdate ? accountSignal(event.data.status) : undefined,
      // Ordered by delivery-attempt time only, an older status delivered late would win: the service re-reads it.
      ...(accountUpdate ? { confirm: 'status_check' as const } : {}),
    },
  ];
}

function isAccountUpdate(event: FinchWebhookEvent | BaseWebhookEvent): event is AccountUpdateEvent {
  return event.event_type === 'account.updated' && 'data' in event;
}

function accountSignal(status: string) {
  return signalForFinchStatus({ status, code: null, message: null });
}

/** Finch sends no event time in the body; the signed Finch-Timestamp is the best vendor time we have. */
function occurredAt(webhook: VerifiedWebhook): Date {
  const seconds = Number(webhook.headers.get(FINCH_WEBHOOK_HEADERS.timestamp));
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : webhook.receivedAt;
}
