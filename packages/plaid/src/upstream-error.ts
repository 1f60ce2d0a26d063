import { isReconnectKitError, ReconnectKitError, type ReconnectKitErrorCode } from '@reconnect-kit/core';
import { readPlaidErrorFacts } from './item-errors.js';

/** axios errors (the SDK's) carry `config`: the request with its headers and body. */
function isAxiosError(value: unknown): value is { readonly cause?: unknown } {
  return (value as { isAxiosError?: unknown } | null)?.isAxiosError === true;
}

/**
 * Turns a failed Plaid call into a ReconnectKitError naming the operation and Plaid's codes only: no tokens or
 * secrets. The SDK's error is never kept: it holds the request (the `PLAID-SECRET` header, the `access_token` in the
 * body), which `util.inspect` and its own `toJSON` print. A network failure keeps what broke underneath as `cause`.
 */
export function upstreamFailure(operation: string, error: unknown): ReconnectKitError {
  if (isReconnectKitError(error)) return error;
  const facts = readPlaidErrorFacts(error);
  if (facts === undefined) {
    const underneath = isAxiosError(error) ? error.cause : error;
    return new ReconnectKitError('upstream_unavailable', {
      message: `Plaid ${operation} failed before a response was received.`,
      ...(underneath instanceof Error && !isAxiosError(underneath) ? { cause: underneath } : {}),
      details: { operation },
    });
  }
  const status = facts.httpStatus ?? 0;
  const code: ReconnectKitErrorCode =
    status === 429 ? 'upstream_rate_limited' : status >= 500 ? 'upstream_unavailable' : 'upstream_error';
  return new ReconnectKitError(code, {
    message: `Plaid ${operation} failed with HTTP ${status} (${facts.errorType} ${facts.errorCode}).`,
    details: { operation, httpStatus: status, errorType: facts.errorType, errorCode: facts.errorCode },
  });
}
