import type { z } from 'zod';
import type { ScenarioCatalogue } from '../catalogue.js';
import type { MockClock } from '../clock.js';
import type { FaultInjector } from '../faults.js';
import { jsonResult, type PipelineResult } from '../http/pipeline-result.js';
import { RouteTable } from '../http/route-table.js';
import { decodeUtf8, NOT_UTF8_MESSAGE } from '../http/text-body.js';
import type { RequestJournal } from '../journal/request-journal.js';
import type { MockContext, MockProviderDefinition } from '../types.js';
import type { WebhookDispatcher } from '../webhooks/dispatcher.js';
import { ADMIN_PREFIX } from './prefix.js';
import { ScenarioRegistry } from './scenario-registry.js';
import {
  clockUpdateSchema,
  deliveryLogQuerySchema,
  describeIssues,
  emptyBodySchema,
  faultSchema,
  flushQuerySchema,
  requestsQuerySchema,
  webhookSettingsSchema,
} from './schemas.js';

const DEFAULT_FLUSH_TIMEOUT_MS = 30_000;

/** What the admin API needs from a mock instance. */
export interface AdminHost<S> {
  readonly definition: MockProviderDefinition<S>;
  readonly ctx: MockContext<S>;
  /** Scenario catalogue option: `undefined` = load `fixtures/scenarios/<provider>.json`, `null` = none. */
  readonly catalogue: ScenarioCatalogue | null | undefined;
  readonly startedAtMs: number;
  readonly clock: MockClock;
  readonly journal: RequestJournal;
  readonly faults: FaultInjector;
  readonly webhooks: WebhookDispatcher;
  reset(): void;
}

interface AdminCall {
  params: Record<string, string>;
  query: URLSearchParams;
  body: () => unknown;
}

type AdminHandler = (call: AdminCall) => PipelineResult | Promise<PipelineResult>;

/** Thrown inside admin handlers; becomes a JSON error answer. */
class AdminError extends Error {
  readonly status: number;
  readonly payload: Record<string, unknown>;

  constructor(status: number, error: string, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.payload = { error, message, ...extra };
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { message, issues } = describeIssues(result.error);
  throw new AdminError(400, 'invalid_request', `invalid ${where}: ${message}`, { issues });
}

function queryObject(query: URLSearchParams): Record<string, string> {
  return Object.fromEntries(query);
}

/** The `/__admin` API: JSON in and out, every body and query validated strictly. */
export class AdminApi<S> {
  readonly #host: AdminHost<S>;
  readonly #scenarios: ScenarioRegistry<S>;
  readonly #routes: RouteTable<AdminHandler>;

  constructor(host: AdminHost<S>) {
    this.#host = host;
    this.#scenarios = new ScenarioRegistry(host.definition, host.catalogue);
    const provider = host.definition.id;
    const ok = (body: unknown, status = 200) => jsonResult(status, body);
    this.#routes = new RouteTable<AdminHandler>([
      {
        method: 'GET',
        path: '/health',
        handler: () =>
          ok({
            status: 'ok',
            provider,
            uptime_ms: Date.now() - host.startedAtMs,
            now: host.clock.now(),
          }),
      },
      {
        method: 'POST',
        path: '/reset',
        handler: ({ body }) => {
          parse(emptyBodySchema, body(), 'reset body');
          host.reset();
          return ok({ reset: true });
        },
      },
      {
        method: 'GET',
        path: '/scenarios',
        handler: () => ok({ provider, scenarios: this.#scenarios.list() }),
      },
      { method: 'POST', path: '/scenarios/:id', handler: (call) => this.#runScenario(call) },
      {
        method: 'GET',
        path: '/requests',
        handler: ({ query }) => {
          const filter = parse(requestsQuerySchema, queryObject(query), 'query');
          const requests = host.journal.list(filter);
          return ok({ total: requests.length, requests });
        },
      },
      {
        method: 'DELETE',
        path: '/requests',
        handler: ({ query }) =>
          ok({ cleared: host.journal.clear(parse(requestsQuerySchema, queryObject(query), 'query')) }),
      },
      { method: 'GET', path: '/clock', handler: () => ok(host.clock.snapshot()) },
      {
        method: 'POST',
        path: '/clock',
        handler: ({ body }) => {
          const update = parse(clockUpdateSchema, body(), 'clock update');
          const target =
            update.set !== undefined ? Date.parse(update.set) : host.clock.nowMs() + update.advance_ms!;
          // Date holds ±8.64e15 ms; beyond it the clock would become an invalid date.
          if (Number.isNaN(new Date(target).getTime())) {
            throw new AdminError(
              400,
              'invalid_request',
              'invalid clock update: the resulting time is out of range',
            );
          }
          if (update.set !== undefined) host.clock.set(new Date(target));
          else host.clock.advance(update.advance_ms!);
          return ok(host.clock.snapshot());
        },
      },
      { method: 'GET', path: '/faults', handler: () => ok({ faults: host.faults.list() }) },
      {
        method: 'POST',
        path: '/faults',
        handler: ({ body }) => ok(host.faults.add(parse(faultSchema, body(), 'fault')), 201),
      },
      { method: 'DELETE', path: '/faults', handler: () => ok({ cleared: host.faults.clear() }) },
      {
        method: 'GET',
        path: '/webhooks',
        handler: ({ query }) =>
          ok(this.#webhookView(parse(deliveryLogQuerySchema, queryObject(query), 'query'))),
      },
      {
        method: 'PUT',
        path: '/webhooks',
        handler: ({ body, query }) => {
          const view = parse(deliveryLogQuerySchema, queryObject(query), 'query');
          const { url, secret, ...rest } = parse(webhookSettingsSchema, body(), 'webhook settings');
          host.webhooks.updateSettings({
            ...rest,
            ...(url !== undefined && { url: url ?? undefined }),
            ...(secret !== undefined && { secret: secret ?? undefined }),
          });
          return ok(this.#webhookView(view));
        },
      },
      {
        method: 'POST',
        path: '/webhooks/flush',
        handler: async ({ query }) => {
          const { timeout_ms, limit } = parse(flushQuerySchema, queryObject(query), 'query');
          const { drained } = await host.webhooks.flush(timeout_ms ?? DEFAULT_FLUSH_TIMEOUT_MS);
          return ok({ drained, deliveries: host.webhooks.deliveries(limit) });
        },
      },
    ]);
  }

  /** `path` is already normalised and starts with `/__admin`. */
  async handle(method: string, path: string, search: string, rawBody: Uint8Array): Promise<PipelineResult> {
    const subPath = path.slice(ADMIN_PREFIX.length) || '/';
    const lookup = this.#routes.lookup(method, subPath);
    try {
      if (lookup.kind === 'not_found') {
        throw new AdminError(404, 'not_found', `no admin endpoint ${method} ${path}`);
      }
      if (lookup.kind === 'method_not_allowed') {
        throw new AdminError(405, 'method_not_allowed', `${path} accepts ${lookup.allowed.join(', ')}`);
      }
      return await lookup.handler({
        params: lookup.params,
        query: new URLSearchParams(search),
        body: () => parseJsonBody(rawBody),
      });
    } catch (error) {
      // Anything else (a scenario's MockHttpError, a bug) is answered by the instance's pipeline guard.
      if (error instanceof AdminError) return jsonResult(error.status, error.payload);
      throw error;
    }
  }

  async #runScenario({ params, body }: AdminCall): Promise<PipelineResult> {
    const id = params.id!;
    const schema = this.#scenarios.inputSchema(id);
    if (!schema) {
      const known = this.#scenarios.implementedIds();
      throw new AdminError(404, 'unknown_scenario', `unknown scenario "${id}"; known: ${known.join(', ')}`, {
        known,
      });
    }
    const input = parse(schema, body(), `input for scenario "${id}"`) as Record<string, unknown>;
    const result = await this.#scenarios.run(id, input, this.#host.ctx);
    return jsonResult(200, { scenario: id, changed: result.changed, webhooks: result.webhooks });
  }

  #webhookView({ limit }: { limit?: number | undefined }) {
    const { url, secret, ...rest } = this.#host.webhooks.settings;
    return {
      url: url ?? null,
      secret_set: secret !== undefined,
      ...rest,
      deliveries: this.#host.webhooks.deliveries(limit),
    };
  }
}

function parseJsonBody(rawBody: Uint8Array): unknown {
  if (rawBody.byteLength === 0) return {};
  const text = decodeUtf8(rawBody);
  if (text === undefined) throw new AdminError(400, 'invalid_json', NOT_UTF8_MESSAGE);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AdminError(400, 'invalid_json', `request body is not valid JSON: ${(error as Error).message}`);
  }
}
