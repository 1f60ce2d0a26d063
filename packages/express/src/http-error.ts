import {
  ERROR_CODES,
  isReconnectKitError,
  type Logger,
  type ReconnectKitErrorCode,
} from '@reconnect-kit/core';

/** Errors only the HTTP layer raises (the request's own transport and origin, not the reconnect model). */
const HTTP_LAYER_ERRORS = {
  cross_site_request: {
    status: 403,
    message: 'This request can only be made from the app itself, not from another site.',
  },
  rate_limited: { status: 429, message: 'Too many reconnection starts for this connection; retry later.' },
  client_aborted: { status: 400, message: 'The client closed the request before its body arrived.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type HttpLayerErrorCode = keyof typeof HTTP_LAYER_ERRORS;

/** Codes a response body can carry: the core error table plus the ones the HTTP layer adds itself. */
export type HttpErrorCode =
  | ReconnectKitErrorCode
  | HttpLayerErrorCode
  | 'method_not_allowed'
  | 'internal_error';

/** Thrown by the routes for HTTP-layer refusals; answered with its table status and message. */
export class HttpLayerError extends Error {
  readonly code: HttpLayerErrorCode;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: HttpLayerErrorCode, headers: Record<string, string> = {}) {
    super(HTTP_LAYER_ERRORS[code].message);
    this.name = 'HttpLayerError';
    this.code = code;
    this.headers = headers;
  }
}

export interface HttpErrorBody {
  readonly error: { readonly code: HttpErrorCode; readonly message: string };
}

export interface HttpError {
  readonly status: number;
  readonly body: HttpErrorBody;
  /** Extra response headers (`Retry-After` on a 429). */
  readonly headers?: Readonly<Record<string, string>>;
}

const INTERNAL_ERROR: HttpError = {
  status: 500,
  body: { error: { code: 'internal_error', message: 'Internal server error.' } },
};

export function methodNotAllowed(allowed: string): HttpError {
  return {
    status: 405,
    body: { error: { code: 'method_not_allowed', message: `Use ${allowed} for this route.` } },
  };
}

/**
 * Maps anything thrown while handling a request to a status and a body that is safe to send.
 * Client errors (4xx) keep the error's own message: core guarantees it names the problem without secrets.
 * Server errors answer with the table's generic message (or a fixed one for foreign errors) and go to the logger.
 * Details, causes and stacks never reach the response.
 */
export function toHttpError(
  error: unknown,
  logger: Logger | undefined,
  context: Record<string, string>,
): HttpError {
  if (error instanceof HttpLayerError) {
    const { code } = error;
    const { status, message } = HTTP_LAYER_ERRORS[code];
    // A client hanging up is routine and cheap to cause: no stack, not an error, so it cannot flood error logs.
    if (code === 'client_aborted')
      logger?.info('reconnect-kit: the client aborted the request', { ...context, code });
    else logger?.warn('reconnect-kit: request rejected', { ...context, code, status });
    return { status, body: { error: { code, message } }, headers: error.headers };
  }
  if (!isReconnectKitError(error)) {
    logger?.error('reconnect-kit: unexpected error while handling a request', {
      ...context,
      error: describe(error),
    });
    return INTERNAL_ERROR;
  }
  const { code } = error;
  const { status } = ERROR_CODES[code];
  if (status >= 500) {
    logger?.error('reconnect-kit: request failed', { ...context, code, error: describe(error) });
    return { status, body: { error: { code, message: ERROR_CODES[code].message } } };
  }
  logger?.warn('reconnect-kit: request rejected', { ...context, code, status });
  return { status, body: { error: { code, message: error.message } } };
}

/**
 * The same error with its code's generic message: for answers that anyone holding a link can read (the
 * callback), where a specific message could describe an account or user that is not the caller's.
 */
export function withGenericMessage(error: HttpError): HttpError {
  const { code } = error.body.error;
  const generic = code in ERROR_CODES ? ERROR_CODES[code as ReconnectKitErrorCode].message : undefined;
  if (generic === undefined) return error;
  return { ...error, body: { error: { code, message: generic } } };
}

function describe(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { type: typeof error };
}
