export type { ReconnectRouterOptions, WebhookRouterOptions } from './express.js';
export { createReconnectRouter, createWebhookRouter, keepRawBody } from './express.js';
export type {
  FetchReconnectOptions,
  HttpErrorBody,
  HttpErrorCode,
  ReconnectHandlers,
  ReconnectReturn,
  ReconnectRoutesOptions,
  StartResponseBody,
  WebhookHandler,
  WebhookHandlerOptions,
  WebhookReceipt,
} from './fetch.js';
export { createReconnectHandlers, createWebhookHandler } from './fetch.js';
