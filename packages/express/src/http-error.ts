import {
  ERROR_CODES,
  isReconnectKitError,
  type Logger,
  type ReconnectKitErrorCode,
} from '@reconnect-kit/core';

/** Codes a response body can carry: the core error table plus the two the HTTP layer adds itself. */
export type HttpErrorCode = ReconnectKitErrorCode | 'method_not_allowed' | 'internal_error';

export interface HttpErrorBody {
  readonly error: { readonly code: HttpErrorCode; readonly message: string };
}

export interface HttpError {
  readonly status: number;
  readonly body: HttpErrorBody;
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

function describe(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { type: typeof error };
}
