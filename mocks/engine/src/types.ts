import type { z } from 'zod';
import type { SignatureClock } from './webhooks/settings.js';

/** An incoming request as vendor route handlers see it (the same on the HTTP server and under msw). */
export interface MockRequest {
  readonly method: string;
  /** Path without the base path and without a trailing slash, e.g. `/v2/accounts/123`. */
  readonly path: string;
  readonly url: URL;
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  readonly headers: Headers;
  /** The exact bytes received (signatures are computed over these). */
  readonly rawBody: Uint8Array;
  /** e.g. `http://127.0.0.1:PORT` — for absolute `next` URLs, connect URLs, ... */
  readonly baseUrl: string;
  /** Parses the body as JSON; throws `MockHttpError` 400 with a clear message when it is empty or malformed. */
  json<T = unknown>(): T;
  /** Parses an `application/x-www-form-urlencoded` body. */
  form(): URLSearchParams;
}

/** What a route handler returns. Objects/arrays are sent as JSON; strings as text; bytes as-is. */
export interface MockResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** The controllable mock clock: real time plus an offset, or frozen at a set instant. */
export interface MockClockView {
  now(): Date;
}

export interface MockConfig {
  /** The credentials the mock accepts, under the vendor's own field names. */
  credentials: Record<string, string>;
  /** The current default webhook target (start options, then `PUT /__admin/webhooks`). */
  readonly webhookUrl?: string;
  readonly webhookSecret?: string;
}

export interface WebhookTarget {
  url: string;
  secret: string;
}

export interface WebhookEnqueueInput {
  eventType: string;
  body: unknown;
  /** Without a target, the default target is used (CLI flags or `PUT /__admin/webhooks`). */
  target?: WebhookTarget;
  /** Use this event id (e.g. when the vendor also puts it in the body); generated otherwise. */
  eventId?: string;
}

export interface QueuedWebhook {
  /** The stable event id (the same on every retry and duplicate). */
  id: string;
  eventType: string;
  url?: string;
}

export interface MockContext<S> {
  state: S;
  clock: MockClockView;
  config: MockConfig;
  webhooks: { enqueue(delivery: WebhookEnqueueInput): QueuedWebhook };
  /** A time-ordered UUID (v7), optionally prefixed: `newId('evt')` → `evt_0190…`. */
  newId(prefix?: string): string;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDefinition<S> {
  method: HttpMethod;
  /** `/v2/accounts/:id`; `*` as the last segment matches the rest of the path (`params['*']`). */
  path: string;
  handler(req: MockRequest, ctx: MockContext<S>): MockResponse | Promise<MockResponse>;
}

export interface ScenarioResult {
  changed: unknown;
  webhooks: QueuedWebhook[];
}

export interface ScenarioDefinition<S> {
  /** Must exist in `fixtures/scenarios/<provider>.json`. */
  id: string;
  /** Used by `GET /__admin/scenarios` when no catalogue file is available. */
  description?: string;
  /**
   * Validates the `POST /__admin/scenarios/{id}` body. Without it, the body may hold `target` plus the keys of the
   * catalogue entry's `input` example; anything else is rejected.
   */
  input?: z.ZodType<{ target?: string } & Record<string, unknown>>;
  run(
    input: { target?: string } & Record<string, unknown>,
    ctx: MockContext<S>,
  ): ScenarioResult | Promise<ScenarioResult>;
}

export interface WebhookSignInput {
  body: Uint8Array;
  eventId: string;
  timestamp: Date;
  /** A secret of the right shape that differs from the configured one when `forged`. */
  secret: string;
  /**
   * The `bad_signature` switch chose this delivery: it must fail verification. Shared-secret schemes need not look
   * (`secret` is already wrong); schemes signing with their own key (asymmetric, e.g. JWTs) sign with a key the
   * receiver does not trust.
   */
  forged?: boolean;
}

export interface WebhookScheme {
  /**
   * Which clock signature timestamps follow by default. `mock_clock` (default) moves with `POST /__admin/clock`;
   * `real_time` keeps them verifiable by vendor SDKs that compare against the machine's clock whatever the mock
   * clock says (event times inside bodies still follow the mock clock). `PUT /__admin/webhooks {"timestamps"}`
   * overrides it at run time.
   */
  timestamps?: SignatureClock;
  serialize(body: unknown): Uint8Array;
  sign(input: WebhookSignInput): Record<string, string>;
}

/** Input of `errorBody`: engine-generated errors (unknown route, 405, 413, 500, malformed JSON, faults). */
export interface EngineErrorInput {
  status: number;
  code: 'not_found' | 'method_not_allowed' | 'payload_too_large' | 'internal_error' | 'bad_request' | 'fault';
  message: string;
}

export interface MockProviderDefinition<S> {
  id: string;
  defaultCredentials: Record<string, string>;
  createState(ctx: Omit<MockContext<S>, 'state'>): S;
  routes: RouteDefinition<S>[];
  scenarios: ScenarioDefinition<S>[];
  webhooks: WebhookScheme;
  /** Env var names overriding credentials, e.g. `{ client_id: 'FINCH_MOCK_CLIENT_ID' }`. */
  credentialEnv?: Record<string, string>;
  /** Shapes engine-generated errors like the vendor's error body. Default: `{ error: code, message }`. */
  errorBody?(input: EngineErrorInput): unknown;
  /**
   * Brings time-driven vendor state up to the mock clock (e.g. data a vendor adds as time passes). Called before
   * every vendor request and after every admin request, so a clock change takes effect without another call.
   */
  catchUp?(ctx: MockContext<S>): void;
}
