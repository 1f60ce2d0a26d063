import {
  type ConnectionProblem,
  isReconnectKitError,
  parseJsonBody,
  parseRetryAfter,
  toHeaders,
  type VendorStatus,
} from '@reconnect-kit/core';
import { type FinchConnectionStatus, signalForFinchStatus } from './status-table.js';

/** What an error from a Finch API call says, whatever form it arrived in. */
export interface FinchErrorFacts {
  readonly httpStatus: number;
  /** Error category, e.g. `authentication_error`. */
  readonly name?: string | undefined;
  /** Detail code, e.g. `reauthenticate_user`. */
  readonly finchCode?: string | undefined;
  readonly message?: string | undefined;
  readonly retryAfterMs?: number | undefined;
  /** Extra facts some 400s carry, e.g. `connection_already_exists` → `{ customer_id, connection_id }`. */
  readonly context?: Readonly<Record<string, unknown>> | undefined;
}

interface ErrorRule {
  readonly when: (facts: FinchErrorFacts) => boolean;
  /** A Finch status with the same meaning (its row of the status table applies), or a transient problem. */
  readonly means: FinchConnectionStatus | 'transient';
}

const is =
  (httpStatus: number, code: string) =>
  (facts: FinchErrorFacts): boolean =>
    facts.httpStatus === httpStatus && (facts.finchCode === code || facts.name === code);

/** Ordered: the first matching rule wins. Everything else (400, 404, 422, 501, insufficient scope…) is not about the connection. */
const ERROR_RULES: readonly ErrorRule[] = [
  { when: is(401, 'reauthenticate_user'), means: 'reauth' },
  { when: is(401, 'account_setup_required'), means: 'error_no_account_setup' },
  { when: is(403, 'insufficient_account_permissions'), means: 'error_permissions' },
  { when: is(403, 'error_permissions'), means: 'error_permissions' },
  // A token that used to work and is now unknown: the connection was disconnected upstream (docs: "Unauthorized").
  { when: is(401, 'invalid_token_error'), means: 'disconnected' },
  { when: (facts) => facts.httpStatus === 429, means: 'transient' },
  { when: (facts) => facts.httpStatus >= 500 && facts.httpStatus !== 501, means: 'transient' },
];

const TRANSIENT_REASON = {
  rateLimited: 'Finch is rate limiting requests for now; this is retried automatically.',
  outage: 'Finch or the payroll system is having trouble right now; this is retried automatically.',
} as const;

/** Classifies the facts of a Finch error; undefined when the error says nothing about the connection's health. */
export function classifyFinchErrorFacts(facts: FinchErrorFacts): ConnectionProblem | undefined {
  const rule = ERROR_RULES.find((candidate) => candidate.when(facts));
  if (rule === undefined) return undefined;
  const code = facts.finchCode ?? facts.name ?? null;
  if (rule.means === 'transient') {
    const vendor: VendorStatus = {
      status: facts.name ?? `http_${facts.httpStatus}`,
      code,
      message: facts.message ?? null,
    };
    return {
      state: 'degraded',
      vendor,
      fix: 'wait',
      reason: facts.httpStatus === 429 ? TRANSIENT_REASON.rateLimited : TRANSIENT_REASON.outage,
      ...(facts.retryAfterMs === undefined ? {} : { retryAfterMs: facts.retryAfterMs }),
    };
  }
  return signalForFinchStatus({ status: rule.means, code, message: facts.message ?? null })?.problem;
}

/**
 * Reads an SDK `APIError` (any copy of the SDK), a fetch `Response`, or a plain `{ status, body, headers? }`.
 * `now` is when the error was received: a `Retry-After` HTTP date becomes the wait from then.
 */
export function readFinchErrorFacts(error: unknown, now: Date = new Date()): FinchErrorFacts | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  if (error instanceof Response) return factsFrom(error.status, undefined, error.headers, now);
  if (isReconnectKitError(error)) return undefined;
  const candidate = error as { status?: unknown; error?: unknown; body?: unknown; headers?: unknown };
  if (typeof candidate.status !== 'number') return undefined;
  // An Error is only an SDK APIError when it has the SDK's shape (`error` body + `headers`).
  if (error instanceof Error && !('error' in error && 'headers' in error)) return undefined;
  // SDK errors carry the parsed body in `.error`; plain objects in `.body` (object or JSON text).
  const body = error instanceof Error ? candidate.error : parseJsonBody(candidate.body);
  return factsFrom(candidate.status, body, toHeaders(candidate.headers), now);
}

function factsFrom(
  httpStatus: number,
  body: unknown,
  headers: Headers | undefined,
  now: Date,
): FinchErrorFacts {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return {
    httpStatus,
    name: text(fields.name),
    finchCode: text(fields.finch_code),
    message: text(fields.message),
    retryAfterMs: headers === undefined ? undefined : parseRetryAfter(headers, now),
    context:
      typeof fields.context === 'object' && fields.context !== null
        ? (fields.context as Record<string, unknown>)
        : undefined,
  };
}
