import type { AdminApi } from './admin/admin-api.js';
import { isAdminPath } from './admin/prefix.js';
import type { ScenarioCatalogue } from './catalogue.js';
import { MockClock } from './clock.js';
import { type CredentialSources, resolveCredentials } from './credentials.js';
import { FaultInjector } from './faults.js';
import type { IncomingCall } from './http/incoming-call.js';
import { MockHttpError } from './http/mock-http-error.js';
import { PipelineRequest } from './http/mock-request.js';
import { normalizePath } from './http/path-pattern.js';
import {
  jsonResult,
  malformBody,
  type PipelineResult,
  RESET_CONNECTION,
  toFetchResponse,
  toPipelineResult,
} from './http/pipeline-result.js';
import { readBodyWithLimit } from './http/read-body.js';
import { RouteTable } from './http/route-table.js';
import { decodeUtf8, isTextBody, NOT_UTF8_MESSAGE } from './http/text-body.js';
import { uuidV7 } from './ids.js';
import { type JournalEntry, RequestJournal } from './journal/request-journal.js';
import type {
  EngineErrorInput,
  MockConfig,
  MockContext,
  MockProviderDefinition,
  RouteDefinition,
} from './types.js';
import { defaultWebhookSettings, WebhookDispatcher } from './webhooks/dispatcher.js';
import type { WebhookSettings } from './webhooks/settings.js';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_JOURNAL_LIMIT = 10_000;

export interface MockInstanceOptions extends CredentialSources {
  /** Default webhook target URL (CLI `--webhook-url`). */
  webhookUrl?: string;
  /** Bodies larger than this are answered with 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Journal capacity (oldest entries are dropped); 0 disables the journal. Default 10 000. */
  journalLimit?: number;
  /** Scenario catalogue; default: `fixtures/scenarios/<provider>.json` when found. `null`: none. */
  catalogue?: ScenarioCatalogue | null;
  /** Randomness for webhook switches and backoff jitter (tests pass a fixed sequence). */
  random?: () => number;
  /** The fetch used for webhook deliveries. Default: global `fetch`. */
  fetch?: typeof fetch;
  /** Diagnostics sink (the CLI sends it to stderr). Default: discard. */
  log?: (line: string) => void;
}

export interface HandleOptions {
  /** Base URL the mock is mounted at (origin plus optional base path). Default: the request's origin. */
  baseUrl?: string;
}

export interface MockInstance<S> {
  readonly definition: MockProviderDefinition<S>;
  readonly ctx: MockContext<S>;
  readonly clock: MockClock;
  readonly journal: RequestJournal;
  readonly faults: FaultInjector;
  readonly webhooks: WebhookDispatcher;
  /** The fetch-standard pipeline: journal, faults, routes, errors. `/__admin/*` is the admin API. */
  handle(request: Request, options?: HandleOptions): Promise<Response>;
  /** The same pipeline without fetch `Request`/`Response` objects (used by the HTTP server). */
  handleCall(call: IncomingCall): Promise<PipelineResult>;
  /** Recreates the vendor state; clears journal, faults, clock offset, webhook queue, log and settings. */
  reset(): void;
  /** Stops webhook delivery. */
  close(): void;
}

type RouteHandler<S> = RouteDefinition<S>['handler'];

const defaultErrorBody = ({ code, message }: EngineErrorInput) => ({ error: code, message });

class PipelineInstance<S> implements MockInstance<S> {
  readonly definition: MockProviderDefinition<S>;
  readonly ctx: MockContext<S>;
  readonly clock = new MockClock();
  readonly journal: RequestJournal;
  readonly faults = new FaultInjector();
  readonly webhooks: WebhookDispatcher;
  readonly #routes: RouteTable<RouteHandler<S>>;
  readonly #startedAtMs = Date.now();
  readonly #errorBody: (input: EngineErrorInput) => unknown;
  readonly #maxBodyBytes: number;
  readonly #initialWebhookSettings: WebhookSettings;
  readonly #catalogue: ScenarioCatalogue | null | undefined;
  readonly #log: (line: string) => void;
  // Loaded on the first admin request: it pulls in zod, which a mock that only serves data never needs.
  #admin: Promise<AdminApi<S>> | undefined;

  constructor(definition: MockProviderDefinition<S>, options: MockInstanceOptions) {
    this.definition = definition;
    this.#log = options.log ?? (() => {});
    this.#errorBody = definition.errorBody ?? defaultErrorBody;
    this.#maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.journal = new RequestJournal(options.journalLimit ?? DEFAULT_JOURNAL_LIMIT);
    this.#routes = new RouteTable(definition.routes);
    this.#catalogue = options.catalogue;

    const credentials = resolveCredentials(definition, { ...options, env: options.env ?? process.env });
    const webhookSecret = options.webhookSecret ?? credentials.webhook_secret;
    const newId = (prefix?: string) =>
      prefix ? `${prefix}_${uuidV7(this.clock.nowMs())}` : uuidV7(this.clock.nowMs());
    this.#initialWebhookSettings = defaultWebhookSettings(options.webhookUrl, webhookSecret);
    this.webhooks = new WebhookDispatcher({
      scheme: definition.webhooks,
      clock: this.clock,
      newId,
      random: options.random ?? Math.random,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      settings: this.#initialWebhookSettings,
      log: this.#log,
    });
    const webhooks = this.webhooks;
    // The webhook target is live: `PUT /__admin/webhooks` changes what handlers see.
    const config: MockConfig = {
      credentials,
      get webhookUrl() {
        return webhooks.settings.url;
      },
      get webhookSecret() {
        return webhooks.settings.secret;
      },
    };
    const base: Omit<MockContext<S>, 'state'> = {
      clock: this.clock,
      config,
      webhooks: { enqueue: (delivery) => this.webhooks.enqueue(delivery) },
      newId,
    };
    this.ctx = { ...base, state: definition.createState(base) };
  }

  async handle(request: Request, options: HandleOptions = {}): Promise<Response> {
    const url = new URL(request.url);
    const baseUrl = (options.baseUrl ?? url.origin).replace(/\/$/, '');
    const basePath = new URL(baseUrl).pathname.replace(/\/$/, '');
    const path =
      basePath && url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : url.pathname;
    const body = await readBodyWithLimit(request, this.#maxBodyBytes);
    const result = await this.handleCall({
      method: request.method,
      target: `${path || '/'}${url.search}`,
      headers: request.headers,
      rawBody: body.bytes,
      bodyTooLarge: body.tooLarge,
      baseUrl,
    });
    return toFetchResponse(result);
  }

  async handleCall(call: IncomingCall): Promise<PipelineResult> {
    const queryStart = call.target.indexOf('?');
    const path = normalizePath(queryStart < 0 ? call.target : call.target.slice(0, queryStart));
    const search = queryStart < 0 ? '' : call.target.slice(queryStart);
    const method = call.method.toUpperCase();
    if (isAdminPath(path)) {
      // Checked here, not in the admin API: an oversized body arrives empty and must never read as `{}`.
      if (call.bodyTooLarge) {
        return jsonResult(413, {
          error: 'payload_too_large',
          message: this.#tooLargeMessage(),
          limit_bytes: this.#maxBodyBytes,
        });
      }
      const result = await this.#guard(method, path, async () =>
        (await this.#adminApi()).handle(method, path, search, call.rawBody),
      );
      this.#catchUp();
      return result;
    }
    this.#catchUp();
    const entry = this.journal.record({
      timeMs: this.clock.nowMs(),
      method,
      path,
      search,
      headers: call.headers,
      rawBody: call.rawBody,
    });
    const fault = this.faults.take(method, path);
    if (fault) entry.fault = fault.id;
    // A text body is decoded once: invalid UTF-8 is refused below, and the route's handler reuses the text.
    const isText = call.rawBody.byteLength > 0 && isTextBody(call.headers);
    const text = isText ? decodeUtf8(call.rawBody) : undefined;
    let result: PipelineResult;
    if (fault?.delay_ms) await delay(fault.delay_ms);
    if (fault?.reset_connection) {
      result = RESET_CONNECTION;
    } else if (call.bodyTooLarge) {
      result = this.#engineError(413, 'payload_too_large', this.#tooLargeMessage());
    } else if (isText && text === undefined) {
      result = this.#engineError(400, 'bad_request', NOT_UTF8_MESSAGE);
    } else if (fault?.status !== undefined) {
      result = this.#engineError(fault.status, 'fault', `injected fault ${fault.id} for ${method} ${path}`);
    } else {
      result = await this.#guard(method, path, () => this.#route(method, path, search, call, entry, text));
    }
    if (result.kind === 'response') {
      if (fault?.retry_after !== undefined) result.headers['retry-after'] = String(fault.retry_after);
      if (fault?.malformed_body) result = malformBody(result);
      entry.status = result.kind === 'response' ? result.status : null;
    }
    return result;
  }

  reset(): void {
    this.journal.clear();
    this.faults.clear();
    this.clock.reset();
    this.webhooks.reset(this.#initialWebhookSettings);
    const { state: _previous, ...base } = this.ctx;
    this.ctx.state = this.definition.createState(base);
  }

  close(): void {
    this.webhooks.close();
  }

  async #route(
    method: string,
    path: string,
    search: string,
    call: IncomingCall,
    entry: JournalEntry,
    text: string | undefined,
  ): Promise<PipelineResult> {
    const lookup = this.#routes.lookup(method, path);
    if (lookup.kind === 'not_found') {
      return this.#engineError(
        404,
        'not_found',
        `the ${this.definition.id} mock has no route ${method} ${path}`,
      );
    }
    if (lookup.kind === 'method_not_allowed') {
      const result = this.#engineError(405, 'method_not_allowed', `${path} does not accept ${method}`);
      if (result.kind === 'response') result.headers.allow = lookup.allowed.join(', ');
      return result;
    }
    entry.route = lookup.pattern;
    const request = new PipelineRequest({
      method,
      path,
      search,
      params: lookup.params,
      headers: call.headers,
      rawBody: call.rawBody,
      text,
      baseUrl: call.baseUrl,
      errorBody: this.#errorBody,
    });
    return toPipelineResult(await lookup.handler(request, this.ctx));
  }

  #catchUp(): void {
    const catchUp = this.definition.catchUp;
    if (catchUp === undefined) return;
    try {
      catchUp(this.ctx);
    } catch (error) {
      // A failing catch-up must not take the request down with it; it is retried on the next request.
      this.#log(
        `catch-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
  }

  /** Turns `MockHttpError` into its response and anything else thrown into a 500 that says what failed. */
  async #guard(method: string, path: string, run: () => Promise<PipelineResult>): Promise<PipelineResult> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof MockHttpError) {
        return toPipelineResult({ status: error.status, headers: error.headers, body: error.body });
      }
      const reason = error instanceof Error ? error.message : String(error);
      this.#log(`${method} ${path} failed: ${error instanceof Error ? (error.stack ?? reason) : reason}`);
      return this.#engineError(
        500,
        'internal_error',
        `the mock failed while handling ${method} ${path}: ${reason}`,
      );
    }
  }

  #tooLargeMessage(): string {
    return `request body exceeds the limit of ${this.#maxBodyBytes} bytes`;
  }

  #engineError(status: number, code: EngineErrorInput['code'], message: string): PipelineResult {
    return toPipelineResult({
      status,
      headers: { 'content-type': 'application/json' },
      body: this.#errorBody({ status, code, message }),
    });
  }

  #adminApi(): Promise<AdminApi<S>> {
    this.#admin ??= import('./admin/admin-api.js').then(
      ({ AdminApi }) =>
        new AdminApi<S>({
          definition: this.definition,
          ctx: this.ctx,
          catalogue: this.#catalogue,
          startedAtMs: this.#startedAtMs,
          clock: this.clock,
          journal: this.journal,
          faults: this.faults,
          webhooks: this.webhooks,
          reset: () => this.reset(),
        }),
    );
    return this.#admin;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** State, clock, journal, faults and webhook dispatcher for one provider, without a server. */
export function createMockInstance<S>(
  definition: MockProviderDefinition<S>,
  options: MockInstanceOptions = {},
): MockInstance<S> {
  return new PipelineInstance(definition, options);
}

/** Identity helper that gives vendor definitions their types. */
export function defineMockProvider<S>(definition: MockProviderDefinition<S>): MockProviderDefinition<S> {
  return definition;
}
