import {
  type ConnectionRef,
  type ConnectionSignal,
  type ProviderEvent,
  ReconnectKitError,
  type VerifiedWebhook,
} from '@reconnect-kit/core';
import { z } from 'zod';
import {
  type AccountUpdateEvent,
  type BaseWebhookEvent,
  type FinchWebhookEvent,
  type JobCompletionEvent,
  webhookEventSchema,
} from './generated/webhook-event.js';
import { finchCompanyId, signalForEntity } from './introspection.js';
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
 * Normalises one verified Finch webhook into one event:
 * - `account.updated` carries the status through the status table, confirmed by a status read (which also reads the
 *   entities, so one entity's break on a multi-entity connection ends as `degraded`);
 * - `job.*` events carry no status: their outcome (e.g. `reauth_error`) is behind `job_url`, which the confirming
 *   status read fetches (`confirmRef`);
 * - data events and unknown types are recorded without a signal.
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
      upstreamParentId: finchCompanyId(event.company_id),
      occurredAt: occurredAt(webhook),
      ...meaning(event),
    },
  ];
}

/** What the event says about the connection, and whether a status read must confirm it. */
function meaning(
  event: FinchWebhookEvent | BaseWebhookEvent,
): Pick<ProviderEvent, 'signal' | 'confirm' | 'confirmRef' | 'part'> {
  if (isAccountUpdate(event)) {
    return {
      // The connection's status; with an entity_id, `signalForEntityEvent` decides against the stored connection
      // whether the entity is the connection itself or one of several.
      signal: signalForFinchStatus({ status: event.data.status, code: null, message: null }),
      ...(event.entity_id ? { part: event.entity_id } : {}),
      // Ordered by delivery-attempt time only, an older status delivered late would win: the service re-reads it.
      confirm: 'status_check',
    };
  }
  if (isJobEvent(event)) return { confirm: 'status_check', confirmRef: event.data.job_url };
  return {};
}

/**
 * What an `account.updated` about one entity means for the stored connection. Finch names the entity's own company
 * in `company_id`: the connection's company means the entity is the connection (a single-entity connection), and
 * the status is the connection's. Another company (or a connection stored without one, as multi-entity
 * connections have no single company) means one entity of several: a problem there makes the connection
 * `degraded` naming it, and any other status waits for the confirming status read (an entity removed with
 * `POST /disconnect-entity` must never make the connection `revoked`).
 */
export function signalForEntityEvent(
  event: ProviderEvent,
  connection: ConnectionRef,
): ConnectionSignal | undefined {
  if (event.part === undefined || event.vendorType !== 'account.updated') return event.signal;
  if (event.upstreamParentId !== undefined && event.upstreamParentId === connection.upstreamParentId) {
    return event.signal;
  }
  const status = event.signal?.vendor.status;
  return status === undefined ? undefined : signalForEntity(event.part, status);
}

function isAccountUpdate(event: FinchWebhookEvent | BaseWebhookEvent): event is AccountUpdateEvent {
  return event.event_type === 'account.updated' && 'data' in event;
}

function isJobEvent(event: FinchWebhookEvent | BaseWebhookEvent): event is JobCompletionEvent {
  return event.event_type.startsWith('job.') && 'data' in event;
}

/** Finch sends no event time in the body; the signed Finch-Timestamp is the best vendor time we have. */
function occurredAt(webhook: VerifiedWebhook): Date {
  const seconds = Number(webhook.headers.get(FINCH_WEBHOOK_HEADERS.timestamp));
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : webhook.receivedAt;
}
