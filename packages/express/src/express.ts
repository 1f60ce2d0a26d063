import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type Connection,
  type Logger,
  type ReconnectionServiceApi,
  ReconnectKitError,
} from '@reconnect-kit/core';
import express, {
  type Request as ExpressRequest,
  type Response as ExpressResponse,
  type RequestHandler,
  type Router,
} from 'express';
import { bufferedBodySource, parseContentLength, type RawBodySource, readWithinLimit } from './body.js';
import { createCrossSiteCheck } from './cross-site.js';
import { HttpLayerError, toHttpError } from './http-error.js';
import {
  handleCallback,
  handleStart,
  prepareReconnectRoutes,
  type ReconnectHttpRequest,
  type ReconnectRoutesOptions,
} from './reconnect.js';
import { errorResponse, type JsonAnswer } from './responses.js';
import { handleWebhookDelivery, resolveMaxBodyBytes, type WebhookHandlerOptions } from './webhook.js';

const capturedBodies = new WeakMap<IncomingMessage, Uint8Array>();

/**
 * A body-parser `verify` callback that keeps the exact bytes for the webhook router. Needed only when a
 * parser runs before the router: `app.use(express.json({ verify: keepRawBody }))`.
 */
export function keepRawBody(req: IncomingMessage, _res: ServerResponse, buffer: Buffer): void {
  capturedBodies.set(req, new Uint8Array(buffer));
}

export type WebhookRouterOptions = WebhookHandlerOptions;

/**
 * `POST /webhooks/:provider`. Reads the raw request stream itself (no body parser), so signatures are checked
 * over the exact bytes the vendor sent. Mount it before any global body parser, or give that parser
 * `verify: keepRawBody`.
 */
export function createWebhookRouter(
  service: ReconnectionServiceApi,
  options: WebhookRouterOptions = {},
): Router {
  const limit = resolveMaxBodyBytes(options);
  const router = express.Router();
  router.all(
    '/webhooks/:provider',
    async (req: ExpressRequest<{ provider: string }>, res: ExpressResponse) => {
      const answer = await handleWebhookDelivery(
        service,
        {
          method: req.method,
          provider: req.params.provider,
          headers: toHeaders(req),
          body: nodeBodySource(req),
        },
        limit,
        options.logger,
      );
      // The unread rest of an oversized body is not worth draining: end the connection after the 413.
      if (answer.status === 413) res.setHeader('connection', 'close');
      write(res, answer);
    },
  );
  return router;
}

export interface ReconnectRouterOptions extends ReconnectRoutesOptions {
  /** Required: may the signed-in user (e.g. `req.user` from your auth middleware) reconnect it? `false` → 404. */
  readonly authorize: (req: ExpressRequest, connection: Connection) => boolean | Promise<boolean>;
}

/** `POST /reconnect/:connectionId/start` and `GET /reconnect/callback`; see the package README for the contract. */
export function createReconnectRouter(
  service: ReconnectionServiceApi,
  options: ReconnectRouterOptions,
): Router {
  const routes = prepareReconnectRoutes(options, 'createReconnectRouter');
  const router = express.Router();
  router.all('/reconnect/callback', async (req: ExpressRequest, res: ExpressResponse) => {
    await send(res, await handleCallback(service, fromExpress(req), routes));
  });
  router.all(
    '/reconnect/:connectionId/start',
    async (req: ExpressRequest<{ connectionId: string }>, res: ExpressResponse) => {
      const authorize = (connection: Connection) => options.authorize(req, connection);
      await send(
        res,
        await handleStart(service, fromExpress(req), req.params.connectionId, authorize, routes),
      );
    },
  );
  return router;
}

export interface RefuseCrossSiteOptions {
  readonly logger?: Logger | undefined;
  /** Origins of your own front ends on other hosts that may make these requests (as the reconnect router's). */
  readonly trustedOrigins?: readonly string[] | undefined;
}

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The reconnect start route's CSRF check as middleware, for the host's own state-changing routes (Disconnect,
 * Connect again, ...): a cross-site browser request that is not GET/HEAD/OPTIONS gets 403 `cross_site_request`
 * and never reaches the route. Same-origin requests and non-browser clients pass.
 */
export function refuseCrossSite(options: RefuseCrossSiteOptions = {}): RequestHandler {
  const isAllowedSite = createCrossSiteCheck(options.trustedOrigins);
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method) || isAllowedSite({ headers: toHeaders(req), host: req.headers.host })) {
      next();
      return;
    }
    const refused = toHttpError(new HttpLayerError('cross_site_request'), options.logger, { path: req.path });
    send(res, errorResponse(refused)).catch(next);
  };
}

function nodeBodySource(req: IncomingMessage): RawBodySource {
  const captured = capturedBodies.get(req);
  if (captured !== undefined) return bufferedBodySource(captured);
  if (req.readableDidRead || req.readableEnded) {
    // The bytes are gone and re-serialising a parsed body would not reproduce them: fail loudly, not as a 401.
    const misconfigured = new ReconnectKitError('config_invalid', {
      message:
        'The webhook body was already read by another middleware (e.g. a global express.json()). Mount the ' +
        'webhook router before body parsers, or pass `verify: keepRawBody` to them.',
    });
    return { declaredLength: undefined, read: () => Promise.reject(misconfigured) };
  }
  return {
    declaredLength: parseContentLength(req.headers['content-length']),
    read: (limit) => readWithinLimit(req, limit),
  };
}

function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  return headers;
}

function fromExpress(req: ExpressRequest): ReconnectHttpRequest {
  // Only the path and query matter here; the host part is a placeholder.
  return {
    method: req.method,
    url: new URL(req.originalUrl, 'http://express.invalid'),
    headers: toHeaders(req),
    // The Host header as the browser sent it (not `req.host`, which `trust proxy` may take from X-Forwarded-Host).
    host: req.headers.host,
  };
}

/** Straight onto the Node response: no fetch `Response` to build and read back. */
function write(res: ServerResponse, answer: JsonAnswer): void {
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.end(answer.body);
}

async function send(res: ExpressResponse, response: Response): Promise<void> {
  res.status(response.status);
  response.headers.forEach((value, name) => {
    res.setHeader(name, value);
  });
  res.end(Buffer.from(await response.arrayBuffer()));
}
