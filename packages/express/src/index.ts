export type { ReconnectRouterOptions, RefuseCrossSiteOptions, WebhookRouterOptions } from './express.js';
export { createReconnectRouter, createWebhookRouter, keepRawBody, refuseCrossSite } from './express.js';
export type {
  CallbackResponseBody,
  FetchReconnectOptions,
  HttpErrorBody,
  HttpErrorCode,
  ReconnectHandlers,
  ReconnectReturn,
  ReconnectRoutesOptions,
  StartRateLimiter,
  StartResponseBody,
  WebhookHandler,
  WebhookHandlerOptions,
  WebhookReceipt,
} from './fetch.js';
export { createReconnectHandlers, createWebhookHandler, DEFAULT_START_RATE_LIMIT } from './fetch.js';
