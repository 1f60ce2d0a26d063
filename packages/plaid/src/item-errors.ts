/**
 * The one place Plaid's error codes meet canonical states: an Item's `error` (from `/item/get`, an ITEM `ERROR`
 * webhook, or a failed API call) becomes a connection problem, or nothing when it says nothing about the Item.
 */
import {
  type ConnectionProblem,
  type FixPath,
  parseJsonBody,
  parseRetryAfter,
  toHeaders,
  type VendorStatus,
} from '@reconnect-kit/core';

interface ProblemMapping {
  readonly state: ConnectionProblem['state'];
  readonly fix: FixPath;
  readonly reason: string;
}

const LOGIN_REQUIRED: ProblemMapping = {
  state: 'needs_reauth',
  fix: 'reenter_credentials',
  reason: 'Your bank needs you to sign in again. Reconnect through Plaid to keep your account linked.',
};
const WAIT: ProblemMapping = {
  state: 'degraded',
  fix: 'wait',
  reason: 'Your bank is not answering Plaid right now; this is retried automatically.',
};
const REVOKED: ProblemMapping = {
  state: 'revoked',
  fix: 'new_connection',
  reason: 'Access to this bank connection was removed. Link your bank again to continue.',
};

/** By `error_code` (Plaid's error reference); codes not listed say nothing about the Item's health. */
export const PLAID_ERROR_TABLE: Readonly<Record<string, ProblemMapping>> = {
  ITEM_LOGIN_REQUIRED: LOGIN_REQUIRED,
  ITEM_LOCKED: {
    state: 'needs_credentials',
    fix: 'user_action_elsewhere',
    reason: 'Your bank locked your account. Unlock it with your bank, then reconnect through Plaid.',
  },
  USER_SETUP_REQUIRED: {
    state: 'needs_credentials',
    fix: 'user_action_elsewhere',
    reason: 'Your bank needs you to finish a step on its website first, then reconnect through Plaid.',
  },
  INVALID_CREDENTIALS: {
    state: 'needs_credentials',
    fix: 'reenter_credentials',
    reason: 'Your bank rejected the saved sign-in details. Reconnect through Plaid with your current ones.',
  },
  ACCESS_NOT_GRANTED: {
    state: 'needs_credentials',
    fix: 'reenter_credentials',
    reason: 'Plaid was not given access to the data it needs. Reconnect and allow it.',
  },
  USER_PERMISSION_REVOKED: REVOKED,
  ITEM_NOT_FOUND: REVOKED,
  INSTITUTION_DOWN: WAIT,
  INSTITUTION_NOT_RESPONDING: WAIT,
  INSTITUTION_NOT_AVAILABLE: WAIT,
  RATE_LIMIT: { ...WAIT, reason: 'Plaid is rate limiting requests for now; this is retried automatically.' },
  INTERNAL_SERVER_ERROR: {
    ...WAIT,
    reason: 'Plaid is having trouble right now; this is retried automatically.',
  },
  PLANNED_MAINTENANCE: { ...WAIT, reason: 'Plaid is down for maintenance; this is retried automatically.' },
};

/** What a Plaid error object says (`error_type`, `error_code`, `error_message`). */
export interface PlaidErrorFacts {
  readonly httpStatus?: number | undefined;
  readonly errorType: string;
  readonly errorCode: string;
  readonly message?: string | null | undefined;
  readonly retryAfterMs?: number | undefined;
}

/** The problem an error means for the Item, or undefined when it is not about the Item (bad request, bad keys…). */
export function problemForPlaidError(facts: PlaidErrorFacts): ConnectionProblem | undefined {
  const mapping = Object.hasOwn(PLAID_ERROR_TABLE, facts.errorCode)
    ? PLAID_ERROR_TABLE[facts.errorCode]
    : undefined;
  if (!mapping) return undefined;
  const vendor: VendorStatus = {
    status: facts.errorType,
    code: facts.errorCode,
    message: facts.message ?? null,
  };
  return {
    state: mapping.state,
    vendor,
    fix: mapping.fix,
    reason: mapping.reason,
    ...(facts.retryAfterMs === undefined ? {} : { retryAfterMs: facts.retryAfterMs }),
  };
}

/**
 * Reads Plaid's error object from an SDK (axios) error, a fetch `Response` body, or `{ status, body }`. `now` is when
 * the error was received: a `Retry-After` HTTP date becomes the wait from then.
 */
export function readPlaidErrorFacts(error: unknown, now: Date = new Date()): PlaidErrorFacts | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as {
    response?: { status?: unknown; data?: unknown; headers?: unknown };
    status?: unknown;
    body?: unknown;
  };
  // The SDK rejects with an AxiosError: `response.status` and Plaid's error object in `response.data`.
  const status = candidate.response?.status ?? candidate.status;
  const body = candidate.response ? candidate.response.data : parseJsonBody(candidate.body);
  if (typeof body !== 'object' || body === null) return undefined;
  const fields = body as Record<string, unknown>;
  if (typeof fields.error_code !== 'string' || typeof fields.error_type !== 'string') return undefined;
  return {
    httpStatus: typeof status === 'number' ? status : undefined,
    errorType: fields.error_type,
    errorCode: fields.error_code,
    message: typeof fields.error_message === 'string' ? fields.error_message : null,
    retryAfterMs: retryAfterMs(candidate.response?.headers, now),
  };
}

function retryAfterMs(headers: unknown, now: Date): number | undefined {
  const parsed = toHeaders(headers);
  return parsed === undefined ? undefined : parseRetryAfter(parsed, now);
}
