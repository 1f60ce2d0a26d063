/**
 * Finch's error catalogue (reference §2.3) as one table: HTTP status, `name`, `finch_code` and default message.
 * Most errors use the `{code, name, finch_code, message}` shape; `legacy` rows use the gateway's
 * `{statusCode, status, code, name, message}` shape, as Finch does for missing credentials and rate limits.
 */
import { randomUUID } from 'node:crypto';
import { MockHttpError } from '@reconnect-kit/mock-engine';

interface FinchErrorSpec {
  status: number;
  name?: string;
  finchCode?: string;
  message: string;
  legacy?: boolean;
}

export const FINCH_ERRORS = {
  invalid_request: {
    status: 400,
    name: 'bad_request',
    finchCode: 'invalid_request',
    message: 'Invalid request',
  },
  connection_already_exists: {
    status: 400,
    name: 'bad_request',
    finchCode: 'connection_already_exists',
    message:
      'A connection already exists for this customer_id. Please use the /connect/sessions/reauthenticate endpoint instead.',
  },
  connection_not_found: {
    status: 400,
    name: 'bad_request',
    finchCode: 'invalid_request',
    message: 'Connection not found',
  },
  invalid_grant: {
    status: 400,
    name: 'invalid_grant_error',
    message: 'The authorization code is invalid, expired or already used',
  },
  // Connect-session endpoints answer bad client credentials without a `name` (spec example).
  invalid_client: {
    status: 401,
    finchCode: 'invalid_client',
    message: 'Invalid client: Unable to validate credentials',
  },
  invalid_client_error: {
    status: 401,
    name: 'invalid_client_error',
    message: 'Invalid client credentials',
  },
  no_authentication: {
    status: 401,
    name: 'unauthorized_request_error',
    message: 'Unauthorized request: no authentication given',
    legacy: true,
  },
  invalid_token: { status: 401, name: 'invalid_token_error', message: 'Unauthorized' },
  reauthenticate_user: {
    status: 401,
    name: 'authentication_error',
    finchCode: 'reauthenticate_user',
    message: 'Please reauthenticate user',
  },
  account_setup_required: {
    status: 401,
    name: 'authentication_error',
    finchCode: 'account_setup_required',
    message: 'The employer has not finished connecting their account',
  },
  insufficient_permissions: {
    status: 403,
    name: 'error_permissions',
    finchCode: 'insufficient_account_permissions',
    message: "The admin account's permissions in the provider are insufficient",
  },
  insufficient_scope: {
    status: 403,
    name: 'insufficient_scope_error',
    message: 'The access token does not have access to this product',
  },
  // Not errors: "the connection exists but data is not ready yet" answers (reference §2.4).
  authorization_pending: {
    status: 202,
    name: 'authorization_pending',
    finchCode: 'pending',
    message: "Authorization to this company's data is pending",
  },
  sync_in_progress: {
    status: 202,
    name: 'sync_in_progress',
    finchCode: 'data_sync_in_progress',
    message: 'The data being requested is being fetched. Please check back later.',
  },
  not_found: { status: 404, name: 'not_found_error', finchCode: 'item_not_found', message: 'Not found' },
  page_size_limit_exceeded: {
    status: 422,
    name: 'unprocessable_entity_error',
    finchCode: 'page_size_limit_exceeded',
    message: 'Page size exceeds the maximum of 10000 items. Please reduce the limit parameter.',
  },
  batch_limit_exceeded: {
    status: 422,
    name: 'unprocessable_entity_error',
    finchCode: 'batch_limit_exceeded',
    message:
      'Batch size exceeds the maximum of 10000 items. Please reduce the number of items in your request.',
  },
  // The spec answers these with the gateway's legacy body.
  automated_jobs_unsupported: {
    status: 400,
    name: 'bad_request',
    message: 'cannot create automated job for Assisted Connect token',
    legacy: true,
  },
  bad_request_legacy: { status: 400, name: 'bad_request', message: 'Bad request', legacy: true },
  entity_ids_invalid: {
    status: 400,
    name: 'BadRequestError',
    message: 'entity_ids must be a non-empty array of UUIDs.',
    legacy: true,
  },
  w4_sync_required: {
    status: 400,
    name: 'bad_request',
    finchCode: 'w4_sync_required',
    message: 'W-4 data has not been synced yet; run a w4_form_employee_sync job first',
  },
  rate_limited: {
    status: 429,
    name: 'rate_limit_exceeded_error',
    finchCode: 'finch_application_rl',
    message: 'Too many requests for token',
    legacy: true,
  },
  refresh_quota_exhausted: {
    status: 429,
    name: 'rate_limit_exceeded_error',
    finchCode: 'finch_application_rl',
    message: 'No data refreshes left in this window',
  },
  server_error: { status: 500, name: 'server_error', message: 'An unexpected error occurred' },
  upstream_provider_error: {
    status: 502,
    name: 'bad_gateway_error',
    finchCode: 'upstream_provider_error',
    message: 'Error communicating with the provider',
  },
  provider_unavailable: {
    status: 503,
    name: 'service_unavailable_error',
    finchCode: 'upstream_provider_error',
    message: 'The provider is temporarily unavailable',
  },
} as const satisfies Record<string, FinchErrorSpec>;

export type FinchErrorKind = keyof typeof FINCH_ERRORS;

/** Every Finch API response carries one. */
export function requestIdHeader(): Record<string, string> {
  return { 'Finch-Request-Id': randomUUID() };
}

export function finchErrorBody(kind: FinchErrorKind, message?: string): Record<string, unknown> {
  const spec: FinchErrorSpec = FINCH_ERRORS[kind];
  const text = message ?? spec.message;
  if (spec.legacy) {
    return {
      statusCode: spec.status,
      status: spec.status,
      code: spec.status,
      message: text,
      name: spec.name,
      ...(spec.finchCode ? { finch_code: spec.finchCode } : {}),
    };
  }
  return {
    code: spec.status,
    ...(spec.name ? { name: spec.name } : {}),
    ...(spec.finchCode ? { finch_code: spec.finchCode } : {}),
    message: text,
  };
}

export interface FinchErrorOptions {
  message?: string;
  headers?: Record<string, string>;
  /** Extra body fields, e.g. `context` on connection_already_exists. */
  extra?: Record<string, unknown>;
}

/** The error to throw from a handler; the engine answers with this status, body and headers. */
export function finchError(kind: FinchErrorKind, options: FinchErrorOptions = {}): MockHttpError {
  return new MockHttpError(
    FINCH_ERRORS[kind].status,
    { ...finchErrorBody(kind, options.message), ...options.extra },
    { ...requestIdHeader(), ...options.headers },
  );
}
