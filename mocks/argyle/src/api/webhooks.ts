/**
 * `/v2/webhooks` subscriptions. Webhooks are global: each subscription receives its events for every user and
 * account. Secrets are returned in clear text, as recorded from Argyle.
 */
import type { MockRequest, RouteDefinition } from '@reconnect-kit/mock-engine';
import { serializeWebhookSubscription } from '../domain/serialize.js';
import type { ArgyleState, WebhookSubscriptionRecord } from '../domain/state.js';
import { takeRowKey } from '../domain/state.js';
import { ALL_EVENTS } from '../domain/webhooks.js';
import { type ArgyleContext, apiResource, jsonResponse, notFound, readObjectBody } from './http.js';
import { pageResponse, readPageRequest } from './pagination.js';
import { FieldErrors, readString } from './validation.js';

/** `resource.event` names; the mock accepts any such name (Argyle adds events over time) plus `"*"`. */
const EVENT_NAME = /^[a-z_]+\.[a-z_]+$/;

function findSubscription(req: MockRequest, ctx: ArgyleContext): WebhookSubscriptionRecord {
  const subscription = ctx.state.webhooks.get(req.params.id ?? '');
  if (!subscription) throw notFound();
  return subscription;
}

function readEvents(body: Record<string, unknown>, errors: FieldErrors): string[] {
  const events = body.events;
  if (events === undefined || events === null) {
    errors.add('events', 'This field is required.');
    return [];
  }
  if (!Array.isArray(events)) {
    errors.add('events', `Expected a list of items but got type "${typeof events}".`);
    return [];
  }
  if (events.length === 0) errors.add('events', 'This list may not be empty.');
  for (const event of events) {
    if (typeof event !== 'string' || (event !== ALL_EVENTS && !EVENT_NAME.test(event))) {
      errors.add('events', `"${String(event)}" is not a valid choice.`);
    }
  }
  return events as string[];
}

function readUrl(body: Record<string, unknown>, errors: FieldErrors): string | null {
  const url = readString(body, 'url', errors, { required: true });
  if (url === null) return null;
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return url;
  } catch {
    // reported below
  }
  errors.add('url', 'Enter a valid URL.');
  return null;
}

function readConfig(
  body: Record<string, unknown>,
  events: string[],
  errors: FieldErrors,
): Record<string, unknown> {
  const config = body.config;
  if (config === undefined || config === null) return {};
  if (typeof config !== 'object' || Array.isArray(config)) {
    errors.add('config', 'Expected a dictionary of items.');
    return {};
  }
  const entries = config as Record<string, unknown>;
  if ('include_resource' in entries && typeof entries.include_resource !== 'boolean') {
    errors.add('config', 'include_resource must be a boolean.');
  }
  if ('days_synced' in entries) {
    const days = entries.days_synced;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1) {
      errors.add('config', 'days_synced must be a positive integer.');
    } else if (events.includes(ALL_EVENTS)) {
      errors.add('config', 'days_synced cannot be used with "*"; subscribe to the events one by one.');
    }
  }
  return { ...entries };
}

export const webhookRoutes: RouteDefinition<ArgyleState>[] = [
  ...apiResource('/v2/webhooks', {
    GET(req, ctx) {
      const page = readPageRequest(req, []);
      return pageResponse(req, page, ctx.state.webhooks.values(), serializeWebhookSubscription);
    },
    POST(req, ctx) {
      const body = readObjectBody(req);
      const errors = new FieldErrors();
      const events = readEvents(body, errors);
      const name = readString(body, 'name', errors, { required: true });
      const url = readUrl(body, errors);
      const secret = readString(body, 'secret', errors);
      const config = readConfig(body, events, errors);
      errors.throwIfAny();
      const now = ctx.clock.now();
      const subscription: WebhookSubscriptionRecord = {
        id: ctx.newId(),
        rowKey: takeRowKey(ctx.state),
        name: name!,
        events: events as [string, ...string[]],
        url: url!,
        secret: secret === '' ? null : secret,
        config,
        createdAt: now,
        updatedAt: now,
        lastSentAt: null,
      };
      ctx.state.webhooks.set(subscription.id, subscription);
      return jsonResponse(201, serializeWebhookSubscription(subscription));
    },
  }),
  ...apiResource('/v2/webhooks/:id', {
    GET(req, ctx) {
      return jsonResponse(200, serializeWebhookSubscription(findSubscription(req, ctx)));
    },
    DELETE(req, ctx) {
      ctx.state.webhooks.delete(findSubscription(req, ctx).id);
      return { status: 204 };
    },
  }),
];
