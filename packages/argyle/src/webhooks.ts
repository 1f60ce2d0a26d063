import { hash } from 'node:crypto';
import type { ConnectionSignal, ProviderEvent, VerifiedWebhook } from '@reconnect-kit/core';
import { ReconnectKitError, sortableTime } from '@reconnect-kit/core';
import { z } from 'zod';
import type { ArgyleAccountsWebhook, ArgyleWebhookAccount } from './generated/webhook-accounts.js';
import { webhookAccountsSchema } from './generated/webhook-accounts.js';
import { type MappedConnection, mapConnection, removedAccount } from './status-map.js';

/** The account fields the adapter reads from a webhook's `resource`. */
const READ_ACCOUNT_FIELDS = ['id', 'user', 'updated_at', 'connection'] as const;

/** An accounts.* webhook as far as the adapter reads it. */
export type ArgyleAccountsWebhookRead = Omit<ArgyleAccountsWebhook, 'data'> & {
  readonly data: Omit<ArgyleAccountsWebhook['data'], 'resource'> & {
    readonly resource?: Pick<ArgyleWebhookAccount, (typeof READ_ACCOUNT_FIELDS)[number]>;
  };
};

/**
 * The fixture schema with the webhook's account narrowed to the fields the adapter reads (a tolerant reader):
 * those are validated exactly as the fixture defines them, while a change to a field the adapter never reads
 * (employers, availability, …) cannot turn a webhook into a 400 that the vendor retries until it gives up. It
 * also makes validation of the hot path about three times cheaper (docs/benchmarks.md).
 */
function narrowedToReadFields(schema: JSONSchemaObject): JSONSchemaObject {
  const defs = schema.$defs as Record<string, JSONSchemaObject>;
  const account = defs.Account as JSONSchemaObject;
  const properties = account.properties as Record<string, JSONSchemaObject>;
  const read: readonly string[] = READ_ACCOUNT_FIELDS;
  const narrowed: JSONSchemaObject = {
    ...account,
    properties: Object.fromEntries(read.map((field) => [field, properties[field] as JSONSchemaObject])),
    required: (account.required ?? []).filter((field) => read.includes(field)),
  };
  return { ...schema, $defs: { ...defs, Account: narrowed } };
}

type JSONSchemaObject = Exclude<z.core.JSONSchema.JSONSchema, boolean>;

const accountsWebhook = z.fromJSONSchema(
  narrowedToReadFields(webhookAccountsSchema as JSONSchemaObject),
) as z.ZodType<ArgyleAccountsWebhookRead>;
const envelope = z.looseObject({
  event: z.string().min(1),
  data: z.looseObject({ account: z.string().min(1).optional(), user: z.string().min(1).optional() }),
});
const ACCOUNT_EVENTS: ReadonlySet<string> = new Set<ArgyleAccountsWebhook['event']>([
  'accounts.added',
  'accounts.connected',
  'accounts.updated',
  'accounts.failed',
  'accounts.removed',
]);

export const ARGYLE_PROVIDER_ID = 'argyle';

/**
 * Argyle sends no event id: the dedupe key is the SHA-256 of the exact raw body, so a redelivery (same bytes,
 * same signature) is recognised, while any real change (a new `updated_at`) yields a new id. When the body
 * carries the account's `updated_at`, that time leads the id, so dedupe keys sort by time and each new one lands
 * at the end of the store's dedupe index rather than on a random page of it.
 */
export function argyleEventId(rawBody: Uint8Array, updatedAt?: string): string {
  const digest = hash('sha256', rawBody, 'hex');
  return updatedAt === undefined ? `argyle_${digest}` : `argyle_${sortableTime(updatedAt)}_${digest}`;
}

/**
 * Normalises a verified Argyle webhook. The five `accounts.*` events are validated against the fixture schema.
 * Events without usable state are returned without a `signal` (recorded, not applied): other Argyle events about
 * an account (paystubs.*, …), and an `accounts.updated` without `resource` (subscribe with
 * `config.include_resource: true`; without it the event asks the service to confirm with a status read).
 * Events about no account at all (users.*) yield nothing.
 */
export function parseArgyleWebhook(webhook: VerifiedWebhook): ProviderEvent[] {
  // The accounts.* schema covers the envelope too, so those events (the hot path) are validated once.
  if (!isAccountEvent(webhook.body)) {
    const head = envelope.safeParse(webhook.body);
    if (!head.success) throw payloadInvalid(head.error.issues.map((i) => i.path.join('.') || '(root)'));
    const { account, user } = head.data.data;
    return account
      ? [eventOf(webhook, undefined, head.data.event, account, user, webhook.receivedAt, undefined)]
      : [];
  }
  const parsed = accountsWebhook.safeParse(webhook.body);
  if (!parsed.success) throw payloadInvalid(parsed.error.issues.map((i) => i.path.join('.') || '(root)'));
  const { event, data } = parsed.data;
  const resource = data.resource;
  const signal = toSignal(signalFor(parsed.data));
  // `updated_at` moves on every change of the account, so it orders signals; without a resource, receipt time.
  const occurredAt = resource ? new Date(resource.updated_at) : webhook.receivedAt;
  const parsedEvent = eventOf(
    webhook,
    resource?.updated_at,
    event,
    data.account,
    data.user,
    occurredAt,
    signal,
  );
  // Without a resource an update says only that something changed: the service reads the account.
  return [
    event === 'accounts.updated' && !resource ? { ...parsedEvent, confirm: 'status_check' } : parsedEvent,
  ];
}

function isAccountEvent(body: unknown): boolean {
  const event = typeof body === 'object' && body !== null ? (body as { event?: unknown }).event : undefined;
  return typeof event === 'string' && ACCOUNT_EVENTS.has(event);
}

function eventOf(
  webhook: VerifiedWebhook,
  updatedAt: string | undefined,
  vendorType: string,
  upstreamId: string,
  upstreamParentId: string | undefined,
  occurredAt: Date,
  signal: ConnectionSignal | undefined,
): ProviderEvent {
  return {
    eventId: argyleEventId(webhook.rawBody, updatedAt),
    provider: ARGYLE_PROVIDER_ID,
    vendorType,
    upstreamId,
    upstreamParentId,
    occurredAt,
    signal,
  };
}

function signalFor({ event, data }: ArgyleAccountsWebhookRead): MappedConnection | undefined {
  if (event === 'accounts.removed') return removedAccount('removed');
  if (data.resource) return mapConnection(data.resource.connection);
  // The event name alone is enough for a successful connect; for the others the state lives in `resource`.
  if (event === 'accounts.connected')
    return mapConnection({ status: 'connected', error_code: null, error_message: null });
  // Legacy v1 accounts.failed carried the code in `data`; honour it if Argyle still sends it.
  if (event === 'accounts.failed' && data.error_code) {
    return mapConnection({
      status: 'error',
      error_code: data.error_code,
      error_message: data.error_message ?? null,
    });
  }
  return undefined;
}

function toSignal(mapped: MappedConnection | undefined): ConnectionSignal | undefined {
  return mapped && { state: mapped.state, vendor: mapped.vendor, problem: mapped.problem };
}

function payloadInvalid(fields: string[]): ReconnectKitError {
  return new ReconnectKitError('webhook_payload_invalid', {
    message: `The Argyle webhook does not match the accounts.* schema (${fields.slice(0, 5).join(', ')}).`,
    details: { fields: fields.slice(0, 5) },
  });
}
