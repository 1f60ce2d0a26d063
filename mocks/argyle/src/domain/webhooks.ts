/**
 * Argyle webhook delivery: the envelope `{"event", "name", "data"}` pretty-printed with a 2-space indent and signed
 * with a lowercase hex HMAC-SHA512 of the exact body bytes in `X-Argyle-Signature`. Every subscription whose
 * `events` holds the event (or `"*"`) gets one delivery; `data.resource` is added only for subscriptions with
 * `config.include_resource: true` and an explicit event list (Argyle ignores `include_resource` for `"*"`).
 * The engine's default target (CLI `--webhook-url`) behaves like a `"*"` subscription that DOES include the
 * resource, so a receiver configured from the command line sees the account state without a subscription call.
 */
import { createHmac } from 'node:crypto';
import type { MockContext, QueuedWebhook, WebhookScheme } from '@reconnect-kit/mock-engine';
import type { ArgyleState, WebhookSubscriptionRecord } from './state.js';

export const ALL_EVENTS = '*';
/** `name` of the deliveries to the engine's default target (a real subscription's `name` is its own). */
export const DEFAULT_TARGET_NAME = 'reconnect-mock';

const ACCOUNT_EVENTS = [
  'accounts.added',
  'accounts.connected',
  'accounts.updated',
  'accounts.failed',
  'accounts.removed',
] as const;
export type AccountEventName = (typeof ACCOUNT_EVENTS)[number];

export function signArgyleBody(body: Uint8Array, secret: string): string {
  return createHmac('sha512', secret).update(body).digest('hex');
}

/** Headers Argyle's sender adds besides the signature (recorded); no timestamp or event id header exists. */
const DELIVERY_HEADERS = { Accept: '*/*', 'User-Agent': 'ReactorNetty/1.1.28' };

export const argyleWebhookScheme: WebhookScheme = {
  serialize: (body) => new TextEncoder().encode(JSON.stringify(body, null, 2)),
  // The engine adds the scheme's headers to each attempt; the signature is the only computed one.
  sign: ({ body, secret }) => ({ ...DELIVERY_HEADERS, 'X-Argyle-Signature': signArgyleBody(body, secret) }),
};

type EventData = Readonly<Record<string, unknown>>;

export interface OutgoingEvent {
  readonly event: string;
  /**
   * `data` without `resource`, in wire key order (`account`, `user`, then extras); a function when it depends on the
   * subscription's `config` (`*.partially_synced` reports the subscription's own `days_synced`).
   */
  readonly data: EventData | ((config: Readonly<Record<string, unknown>>) => EventData);
  /** Builds `data.resource`; omitted for events that never carry one (`accounts.removed`). */
  readonly resource?: () => unknown;
}

function wantsEvent(subscription: WebhookSubscriptionRecord, event: string): boolean {
  return subscription.events.includes(ALL_EVENTS) || subscription.events.includes(event);
}

function wantsResource(subscription: WebhookSubscriptionRecord): boolean {
  return !subscription.events.includes(ALL_EVENTS) && subscription.config.include_resource === true;
}

const NO_CONFIG: Readonly<Record<string, unknown>> = {};

function envelope(
  outgoing: OutgoingEvent,
  name: string,
  withResource: boolean,
  config: Readonly<Record<string, unknown>>,
): unknown {
  const base = typeof outgoing.data === 'function' ? outgoing.data(config) : outgoing.data;
  const data = withResource && outgoing.resource ? { ...base, resource: outgoing.resource() } : base;
  return { event: outgoing.event, name, data };
}

/** Queues one delivery per interested subscription plus one to the default target; returns them all. */
export function publish(ctx: MockContext<ArgyleState>, outgoing: OutgoingEvent): QueuedWebhook[] {
  const queued: QueuedWebhook[] = [];
  for (const subscription of ctx.state.webhooks.values()) {
    if (!wantsEvent(subscription, outgoing.event)) continue;
    queued.push(
      ctx.webhooks.enqueue({
        eventType: outgoing.event,
        body: envelope(outgoing, subscription.name, wantsResource(subscription), subscription.config),
        // Argyle's behaviour without a secret is undocumented; the mock then signs with an empty key.
        target: { url: subscription.url, secret: subscription.secret ?? '' },
      }),
    );
    subscription.lastSentAt = ctx.clock.now();
  }
  queued.push(
    ctx.webhooks.enqueue({
      eventType: outgoing.event,
      body: envelope(outgoing, DEFAULT_TARGET_NAME, true, NO_CONFIG),
    }),
  );
  return queued;
}
