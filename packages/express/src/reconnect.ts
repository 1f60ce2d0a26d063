import {
  type CallbackParams,
  type CompletionOutcome,
  type Connection,
  type Logger,
  type ReconnectAction,
  type ReconnectionServiceApi,
  ReconnectKitError,
} from '@reconnect-kit/core';
import { createCrossSiteCheck } from './cross-site.js';
import {
  type HttpErrorCode,
  HttpLayerError,
  methodNotAllowed,
  toHttpError,
  withGenericMessage,
} from './http-error.js';
import { prefersHtml, prefersJson } from './negotiate.js';
import { defaultStartRateLimiter, type StartRateLimiter, spendStart } from './rate-limit.js';
import { errorResponse, jsonResponse, seeOther, withQuery } from './responses.js';

/** Where a reconnect attempt ended, as the host's return page learns it. */
export type ReconnectReturn =
  | { readonly connectionId: string; readonly outcome: CompletionOutcome['outcome'] }
  | { readonly connectionId?: string | undefined; readonly error: HttpErrorCode };

export interface ReconnectRoutesOptions {
  /**
   * Where the browser lands after the callback (and after a failed HTML start). A string gets
   * `?connection=<id>&outcome=recovered|account_mismatch|pending|failed` or `?error=<code>` appended;
   * a function builds the URL itself.
   */
  readonly returnUrl: string | ((result: ReconnectReturn) => string);
  /** Absolute URL of the callback route, handed to the vendor as the redirect target (Finch Connect needs it). */
  readonly callbackUrl?: string | undefined;
  readonly logger?: Logger | undefined;
  /**
   * Binds each reconnect to the browser session that started it: return a value only that session holds (for
   * example a random nonce in an HttpOnly, SameSite cookie the host sets at sign-in). It is read at start and again
   * at the callback; a callback from another session is refused with `state_session_mismatch` and changes
   * nothing. Returning `undefined` at start leaves that attempt unbound.
   */
  readonly sessionBinding?: ((request: ReconnectHttpRequest) => string | undefined) | undefined;
  /**
   * Origins (`https://app.example.com`) of your own front ends on other hosts that may start reconnections, e.g. a
   * single-page app calling this API cross-origin. Same-origin requests and non-browser clients (no `Origin`, no
   * `Sec-Fetch-Site`) always may; every other browser request to start is refused with 403 `cross_site_request`.
   */
  readonly trustedOrigins?: readonly string[] | undefined;
  /**
   * Limits starts per connection (each start can cost a vendor side effect: a Link session, an invite e-mail).
   * Default: 10 per connection per hour in this process's memory. Pass any rate-limiter-flexible limiter (e.g.
   * `new RateLimiterRedis({...})` so that all instances share the budget), or `false` to turn it off. Over the
   * limit: 429 `rate_limited` with `Retry-After`.
   */
  readonly startRateLimiter?: StartRateLimiter | false | undefined;
}

/** The parts of an HTTP request the reconnect routes look at. */
export interface ReconnectHttpRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  /** The `Host` the client addressed (`host[:port]`), compared with a browser's `Origin`. */
  readonly host: string | undefined;
}

/** The routes' configuration, checked once when the router is built. */
export interface ReconnectRoutes {
  readonly options: ReconnectRoutesOptions;
  readonly isAllowedSite: (request: ReconnectHttpRequest) => boolean;
  readonly limiter: StartRateLimiter | undefined;
}

/** Validates the options at construction: a router without `authorize` would fail every start at runtime. */
export function prepareReconnectRoutes(
  options: ReconnectRoutesOptions & { readonly authorize?: unknown },
  builder: string,
): ReconnectRoutes {
  if (typeof options?.authorize !== 'function') {
    throw new ReconnectKitError('config_invalid', {
      message: `${builder} needs an \`authorize(request, connection)\` function that says whether the signed-in user may reconnect the connection (e.g. \`connection.hostUserId === user.id\`).`,
    });
  }
  return {
    options,
    isAllowedSite: createCrossSiteCheck(options.trustedOrigins),
    limiter:
      options.startRateLimiter === false
        ? undefined
        : (options.startRateLimiter ?? defaultStartRateLimiter()),
  };
}

/** Decides whether the signed-in user may reconnect this connection (e.g. `connection.hostUserId === user.id`). */
export type AuthorizeConnection = (connection: Connection) => boolean | Promise<boolean>;

/** The "start" body: what the host's front end does next (open Link with the token, or follow the URL). */
export interface StartResponseBody {
  readonly action: ReconnectAction;
}

/**
 * POST start: JSON `{action}` by default; a 303 to the action's URL when the client asks for HTML
 * (`Accept: text/html`, a plain form post) or passes `?redirect=1` (`?redirect=0` forces JSON).
 * Actions without a URL (a widget the page must open itself with the action's `config`) are always answered with
 * JSON.
 */
export async function handleStart(
  service: ReconnectionServiceApi,
  request: ReconnectHttpRequest,
  connectionId: string,
  authorize: AuthorizeConnection,
  routes: ReconnectRoutes,
): Promise<Response> {
  const { options } = routes;
  if (request.method !== 'POST') return errorResponse(methodNotAllowed('POST'), { allow: 'POST' });
  const redirect = wantsRedirect(request);
  try {
    // Before anything is read: a forged cross-site post learns nothing and spends nothing.
    if (!routes.isAllowedSite(request)) throw new HttpLayerError('cross_site_request');
    const connection = await service.getConnection(connectionId);
    // Someone else's connection answers exactly like a missing one, so ids cannot be probed.
    if (!(await authorize(connection))) throw new ReconnectKitError('connection_not_found');
    // Only an authorized start spends the connection's budget, so nobody else can use it up.
    const waitSeconds = routes.limiter && (await spendStart(routes.limiter, connectionId));
    if (waitSeconds !== undefined)
      throw new HttpLayerError('rate_limited', { 'retry-after': String(waitSeconds) });
    const { action } = await service.startReconnection(connectionId, {
      redirectUri: options.callbackUrl,
      sessionBinding: options.sessionBinding?.(request),
    });
    const target = actionUrl(action);
    if (redirect && target !== undefined) return seeOther(target);
    const body: StartResponseBody = { action };
    return jsonResponse(200, body);
  } catch (error) {
    const httpError = toHttpError(error, options.logger, { route: 'reconnect.start' });
    if (!redirect) return errorResponse(httpError);
    return seeOther(returnTarget(options, { connectionId, error: httpError.body.error.code }));
  }
}

/**
 * GET callback: the Finch Connect redirect (`code`, `state`) or the host page's navigation after Argyle Link
 * (`state`, `account_id`, `user_id`). Every query parameter is passed through to `completeReconnection`.
 * Browsers get a 303 to the return page; clients that prefer JSON get the outcome (or the error) as JSON.
 */
export async function handleCallback(
  service: ReconnectionServiceApi,
  request: ReconnectHttpRequest,
  { options }: ReconnectRoutes,
): Promise<Response> {
  if (request.method !== 'GET') return errorResponse(methodNotAllowed('GET'), { allow: 'GET' });
  const json = prefersJson(request.headers.get('accept'));
  try {
    const result = await service.completeReconnection(callbackParams(request.url.searchParams), {
      sessionBinding: options.sessionBinding?.(request),
    });
    const answer: CallbackResponseBody = { connectionId: result.connection.id, outcome: result.outcome };
    if (json) return jsonResponse(200, answer);
    return seeOther(returnTarget(options, answer));
  } catch (error) {
    // Anyone holding a callback link can call it: codes and generic messages only, never the service's details.
    const httpError = withGenericMessage(toHttpError(error, options.logger, { route: 'reconnect.callback' }));
    if (json) return errorResponse(httpError);
    return seeOther(returnTarget(options, { error: httpError.body.error.code }));
  }
}

/**
 * The callback's JSON answer: the connection id and an outcome code, nothing else. Whoever holds a `state` (it sits
 * in a URL) can call the callback, so the answer must not describe accounts, users or vendor problems: the host's
 * page reads the connection itself, through its own authorized API, if it wants more.
 */
export interface CallbackResponseBody {
  readonly connectionId: string;
  readonly outcome: CompletionOutcome['outcome'];
}

function wantsRedirect(request: ReconnectHttpRequest): boolean {
  const flag = request.url.searchParams.get('redirect');
  if (flag === '1') return true;
  if (flag === '0') return false;
  return prefersHtml(request.headers.get('accept'));
}

function actionUrl(action: ReconnectAction): string | undefined {
  switch (action.kind) {
    case 'widget':
    case 'redirect':
    case 'resend_invite':
      return action.url;
  }
}

function callbackParams(query: URLSearchParams): CallbackParams {
  const params: Record<string, string> = {};
  for (const name of new Set(query.keys())) {
    const values = query.getAll(name);
    if (values.length > 1) {
      throw new ReconnectKitError('invalid_input', {
        message: `The callback parameter "${name}" appears more than once.`,
        details: { parameter: name },
      });
    }
    params[name] = values[0] ?? '';
  }
  const { state } = params;
  if (state === undefined || state === '') {
    throw new ReconnectKitError('state_invalid', { message: 'The callback has no "state" parameter.' });
  }
  return { ...params, state };
}

function returnTarget(options: ReconnectRoutesOptions, result: ReconnectReturn): string {
  if (typeof options.returnUrl === 'function') return options.returnUrl(result);
  const query: Record<string, string> = {};
  if (result.connectionId !== undefined) query.connection = result.connectionId;
  if ('outcome' in result) query.outcome = result.outcome;
  else query.error = result.error;
  return withQuery(options.returnUrl, query);
}
