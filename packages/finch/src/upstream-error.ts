import { isReconnectKitError, ReconnectKitError, type ReconnectKitErrorCode } from '@reconnect-kit/core';
import { APIConnectionError } from '@tryfinch/finch-api';
import { readFinchErrorFacts } from './classify-error.js';

/**
 * Turns a failed Finch call into a ReconnectKitError. The message names the operation and Finch's codes only: no
 * tokens, secrets or codes (the SDK error stays reachable as `cause` for debugging). `now` dates a `Retry-After` HTTP date.
 */
export function upstreamFailure(operation: string, error: unknown, now: Date): ReconnectKitError {
  if (isReconnectKitError(error)) return error;
  if (error instanceof APIConnectionError) {
    return new ReconnectKitError('upstream_unavailable', {
      message: `Finch ${operation} failed: the API could not be reached.`,
      cause: error,
      details: { operation },
    });
  }
  const facts = readFinchErrorFacts(error, now);
  if (facts === undefined) {
    return new ReconnectKitError('upstream_error', {
      message: `Finch ${operation} failed before a response was received.`,
      cause: error,
      details: { operation },
    });
  }
  const code: ReconnectKitErrorCode =
    facts.httpStatus === 429
      ? 'upstream_rate_limited'
      : facts.httpStatus >= 500
        ? 'upstream_unavailable'
        : 'upstream_error';
  const vendorCode = facts.finchCode ?? facts.name;
  return new ReconnectKitError(code, {
    message: `Finch ${operation} failed with HTTP ${facts.httpStatus}${vendorCode ? ` (${vendorCode})` : ''}.`,
    cause: error,
    details: {
      operation,
      httpStatus: facts.httpStatus,
      name: facts.name,
      finchCode: facts.finchCode,
      ...(facts.retryAfterMs === undefined ? {} : { retryAfterMs: facts.retryAfterMs }),
    },
  });
}
