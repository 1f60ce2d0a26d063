/**
 * Plaid's error object (`error_type`, `error_code`, `error_message`, `display_message`, `request_id`, `status`, …)
 * and the HTTP status each error is sent with, from Plaid's error reference (plaid.com/docs/errors).
 */
import { MockHttpError } from '@reconnect-kit/mock-engine';
import { newRequestId } from '../domain/ids.js';

interface ErrorSpec {
  readonly status: number;
  readonly type: string;
  readonly message: string;
  readonly display?: string;
}

const ERRORS = {
  INVALID_BODY: { status: 400, type: 'INVALID_REQUEST', message: 'body could not be parsed as JSON' },
  MISSING_FIELDS: {
    status: 400,
    type: 'INVALID_REQUEST',
    message: 'the following required fields are missing',
  },
  INVALID_FIELD: { status: 400, type: 'INVALID_REQUEST', message: 'a field has an invalid value' },
  NOT_FOUND: { status: 404, type: 'INVALID_REQUEST', message: 'not found' },
  INVALID_HTTP_METHOD: { status: 405, type: 'INVALID_REQUEST', message: 'the HTTP method is not allowed' },
  REQUEST_TOO_LARGE: { status: 413, type: 'INVALID_REQUEST', message: 'the request body is too large' },
  INVALID_API_KEYS: { status: 400, type: 'INVALID_INPUT', message: 'invalid client_id or secret provided' },
  INVALID_ACCESS_TOKEN: {
    status: 400,
    type: 'INVALID_INPUT',
    message: 'provided access token is in an invalid format or does not exist',
  },
  INVALID_PUBLIC_TOKEN: {
    status: 400,
    type: 'INVALID_INPUT',
    message: 'provided public token is expired, was already exchanged or does not exist',
  },
  INVALID_LINK_TOKEN: {
    status: 400,
    type: 'INVALID_INPUT',
    message: 'provided link token is expired or invalid',
  },
  INVALID_INSTITUTION: { status: 400, type: 'INVALID_INPUT', message: 'invalid institution_id provided' },
  INVALID_USER_TOKEN: { status: 400, type: 'INVALID_INPUT', message: 'provided user token is invalid' },
  INVALID_WEBHOOK_VERIFICATION_KEY_ID: {
    status: 400,
    type: 'INVALID_INPUT',
    message: 'invalid key_id provided. note that key_ids are specific to Plaid environments',
  },
  ITEM_LOGIN_REQUIRED: {
    status: 400,
    type: 'ITEM_ERROR',
    message:
      "the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link's update mode to restore the item to a good state",
  },
  ITEM_LOCKED: {
    status: 400,
    type: 'ITEM_ERROR',
    message:
      "the account is locked. prompt the user to visit the institution's site and unlock their account",
    display:
      "The given account has been locked by the financial institution. Please visit your financial institution's website to unlock your account.",
  },
  PRODUCTS_NOT_SUPPORTED: {
    status: 400,
    type: 'ITEM_ERROR',
    message: 'this institution does not support the requested products',
  },
  ITEM_NOT_FOUND: {
    status: 400,
    type: 'ITEM_ERROR',
    message:
      'The Item you requested cannot be found. This Item does not exist, has been previously removed via /item/remove, or has had access removed by the user.',
  },
  USER_PERMISSION_REVOKED: {
    status: 400,
    type: 'ITEM_ERROR',
    message: 'the user has revoked access to this item',
    display: 'The user has revoked their permission for this application to access their account.',
  },
  INVALID_CREDENTIALS: {
    status: 400,
    type: 'ITEM_ERROR',
    message: 'the provided credentials were not correct',
    display: 'The provided credentials were not correct. Please try again.',
  },
  INSTITUTION_DOWN: {
    status: 400,
    type: 'INSTITUTION_ERROR',
    message: 'this institution is not currently responding to this request. please try again soon',
    display:
      'This financial institution is not currently responding to requests. We apologize for the inconvenience.',
  },
  INSTITUTION_NOT_RESPONDING: {
    status: 400,
    type: 'INSTITUTION_ERROR',
    message: 'this institution is not currently responding to this request. please try again soon',
    display:
      'This financial institution is not currently responding to requests. We apologize for the inconvenience.',
  },
  SANDBOX_WEBHOOK_INVALID: {
    status: 400,
    type: 'INVALID_INPUT',
    message: 'the webhook_code is not supported for this Item in the Sandbox',
  },
  RATE_LIMIT: { status: 429, type: 'RATE_LIMIT_EXCEEDED', message: 'rate limit exceeded for this endpoint' },
  INTERNAL_SERVER_ERROR: {
    status: 500,
    type: 'API_ERROR',
    message: 'an unexpected error occurred',
    display: 'Internal server error occurred',
  },
  PLANNED_MAINTENANCE: {
    status: 503,
    type: 'API_ERROR',
    message:
      'the Plaid API is temporarily unavailable due to planned maintenance. visit https://status.plaid.com/ for more information',
  },
} as const satisfies Record<string, ErrorSpec>;

export type PlaidErrorCode = keyof typeof ERRORS;

/** The wire shape (the OpenAPI `PlaidError`). */
export interface PlaidErrorBody {
  error_type: string;
  error_code: PlaidErrorCode;
  error_code_reason: string | null;
  error_message: string;
  display_message: string | null;
  request_id: string;
  causes: unknown[];
  status: number;
  documentation_url: string;
  suggested_action: string | null;
}

export function plaidErrorBody(code: PlaidErrorCode, message?: string): PlaidErrorBody {
  const spec: ErrorSpec = ERRORS[code];
  return {
    error_type: spec.type,
    error_code: code,
    error_code_reason: null,
    error_message: message ?? spec.message,
    display_message: spec.display ?? null,
    request_id: newRequestId(),
    causes: [],
    status: spec.status,
    documentation_url: `https://plaid.com/docs/errors/${spec.type.toLowerCase().replaceAll('_', '-')}/#${code.toLowerCase().replaceAll('_', '-')}`,
    suggested_action: null,
  };
}

export function plaidErrorStatus(code: PlaidErrorCode): number {
  return ERRORS[code].status;
}

/** Throw from a route: Plaid's status and error body for `code`. */
export function plaidError(code: PlaidErrorCode, message?: string): MockHttpError {
  return new MockHttpError(ERRORS[code].status, plaidErrorBody(code, message));
}

/** An error stored on an Item (`item.error`), answered again by every data call while it lasts. */
export function itemErrorResponse(error: PlaidErrorBody): MockHttpError {
  return new MockHttpError(error.status, { ...error, request_id: newRequestId() });
}
