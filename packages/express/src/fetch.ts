import type { Connection, ReconnectionServiceApi } from '@reconnect-kit/core';
import { fetchBodySource } from './body.js';
import {
  handleCallback,
  handleStart,
  prepareReconnectRoutes,
  type ReconnectHttpRequest,
  type ReconnectRoutesOptions,
} from './reconnect.js';
import { toResponse } from './responses.js';
import { handleWebhookDelivery, resolveMaxBodyBytes, type WebhookHandlerOptions } from './webhook.js';

// This module is also the `@reconnect-kit/express/fetch` entry point (no express import), so it re-exports
// the types its handlers speak.
export type { HttpErrorBody, HttpErrorCode } from './http-error.js';
export type { StartRateLimiter } from './rate-limit.js';
export { DEFAULT_START_RATE_LIMIT } from './rate-limit.js';
export type {
  CallbackResponseBody,
  ReconnectReturn,
  ReconnectRoutesOptions,
  StartResponseBody,
} from './reconnect.js';
export type { WebhookHandlerOptions, WebhookReceipt } from './webhook.js';

/** A fetch-standard webhook endpoint; the framework supplies the `:provider` path parameter. */
export type WebhookHandler = (request: Request, params: { readonly provider: string }) => Promise<Response>;

/**
 * Builds the webhook endpoint for any fetch-standard framework (Hono, Next.js route handlers, Bun, Deno, ...).
 * The body is streamed and reading stops at `maxBodyBytes` (413); the 200 comes only after ingestion resolved.
 */
export function createWebhookHandler(
  service: ReconnectionServiceApi,
  options: WebhookHandlerOptions = {},
): WebhookHandler {
  const limit = resolveMaxBodyBytes(options);
  return (request, params) =>
    handleWebhookDelivery(
      service,
      {
        method: request.method,
        provider: params.provider,
        headers: request.headers,
        body: fetchBodySource(request),
      },
      limit,
      options.logger,
    ).then(toResponse);
}

export interface FetchReconnectOptions extends ReconnectRoutesOptions {
  /** Required: may the user behind this request reconnect this connection? `false` answers 404. */
  readonly authorize: (request: Request, connection: Connection) => boolean | Promise<boolean>;
}

export interface ReconnectHandlers {
  /** `POST …/reconnect/:connectionId/start` */
  readonly start: (request: Request, params: { readonly connectionId: string }) => Promise<Response>;
  /** `GET …/reconnect/callback` */
  readonly callback: (request: Request) => Promise<Response>;
}

export function createReconnectHandlers(
  service: ReconnectionServiceApi,
  options: FetchReconnectOptions,
): ReconnectHandlers {
  const routes = prepareReconnectRoutes(options, 'createReconnectHandlers');
  return {
    start: (request, params) =>
      handleStart(
        service,
        fromRequest(request),
        params.connectionId,
        (c) => options.authorize(request, c),
        routes,
      ),
    callback: (request) => handleCallback(service, fromRequest(request), routes),
  };
}

function fromRequest(request: Request): ReconnectHttpRequest {
  const url = new URL(request.url);
  // Frameworks build `request.url` from the Host header; an explicit one (kept by some adapters) wins.
  return {
    method: request.method,
    url,
    headers: request.headers,
    host: request.headers.get('host') ?? url.host,
  };
}
