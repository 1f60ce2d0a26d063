import { isReconnectKitError, ReconnectKitError, type ReconnectKitErrorCode } from '@reconnect-kit/core';
import { readPlaidErrorFacts } from './item-errors.js';

/**
 * Turns a failed Plaid call into a ReconnectKitError naming the operation and Plaid's codes only: no tokens or
 * secrets (the SDK error, which holds the request, stays reachable as `cause` for debugging).
 */
export function upstreamFailure(operation: string, error: unknown): ReconnectKitError {
  if (isReconnectKitError(error)) return error;
  const facts = readPlaidErrorFacts(error);
  if (facts === undefined) {
    return new ReconnectKitError('upstream_unavailable', {
      message: `Plaid ${operation} failed before a response was received.`,
      cause: error,
      details: { operation },
    });
  }
  const status = facts.httpStatus ?? 0;
  const code: ReconnectKitErrorCode =
    status === 429 ? 'upstream_rate_limited' : status >= 500 ? 'upstream_unavailable' : 'upstream_error';
  return new ReconnectKitError(code, {
    message: `Plaid ${operation} failed with HTTP ${status} (${facts.errorType} ${facts.errorCode}).`,
    cause: error,
    details: { operation, httpStatus: status, errorType: facts.errorType, errorCode: facts.errorCode },
  });
}
