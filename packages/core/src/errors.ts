/**
 * One error class with a closed code table (tRPC style): each code has its HTTP status and a default message.
 * Messages never carry secrets or tokens; `details` holds only non-secret context (field names, ids).
 */
export const ERROR_CODES = {
  webhook_signature_invalid: { status: 401, message: 'The webhook signature is missing or does not match.' },
  webhook_stale: { status: 401, message: 'The webhook timestamp is outside the accepted window.' },
  webhook_payload_invalid: {
    status: 400,
    message: 'The webhook payload is not valid JSON of the expected shape.',
  },
  webhook_too_large: { status: 413, message: 'The webhook body is larger than the accepted limit.' },
  state_invalid: {
    status: 400,
    message: 'The reconnect state is malformed, tampered with, or for another connection.',
  },
  state_expired: { status: 400, message: 'The reconnect state has expired; start the reconnection again.' },
  state_used: {
    status: 409,
    message: 'The reconnect state was already used to complete a reconnection; start the reconnection again.',
  },
  state_superseded: {
    status: 409,
    message: 'A newer reconnection was started for this connection; use the state of the latest one.',
  },
  state_session_mismatch: {
    status: 403,
    message: 'The reconnect state belongs to another browser session; start the reconnection again here.',
  },
  connection_not_found: { status: 404, message: 'No connection with that id.' },
  connection_terminal: {
    status: 409,
    message: 'The connection is revoked or disconnected; connect again instead.',
  },
  connection_busy: { status: 409, message: 'Another operation on this connection is in progress.' },
  provider_not_registered: { status: 400, message: 'No provider with that id is registered.' },
  transition_illegal: { status: 409, message: 'That state transition is not allowed.' },
  config_invalid: { status: 500, message: 'The configuration is invalid.' },
  secret_key_unknown: {
    status: 500,
    message: 'The ciphertext was sealed with a key id that is not configured.',
  },
  secret_decrypt_failed: {
    status: 500,
    message: 'The ciphertext could not be opened (wrong key or tampered).',
  },
  upstream_error: { status: 502, message: 'The provider API returned an error.' },
  upstream_rate_limited: { status: 503, message: 'The provider API is rate limiting; retry later.' },
  upstream_unavailable: { status: 503, message: 'The provider API could not be reached.' },
  reconnect_code_invalid: { status: 400, message: 'The authorization code was rejected by the provider.' },
  store_conflict: { status: 409, message: 'The record was changed concurrently.' },
  invalid_input: { status: 400, message: 'The input is invalid.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ReconnectKitErrorCode = keyof typeof ERROR_CODES;

export interface ReconnectKitErrorOptions {
  readonly message?: string;
  readonly cause?: unknown;
  /** Non-secret context (field names, ids, vendor codes). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export class ReconnectKitError extends Error {
  override readonly name = 'ReconnectKitError';
  readonly code: ReconnectKitErrorCode;
  readonly status: number;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ReconnectKitErrorCode, options: ReconnectKitErrorOptions = {}) {
    super(
      options.message ?? ERROR_CODES[code].message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = options.details ?? {};
  }

  toJSON(): {
    name: string;
    code: ReconnectKitErrorCode;
    message: string;
    details: Readonly<Record<string, unknown>>;
  } {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** Narrows unknown errors, including instances from another copy of this package (compared by name and code). */
export function isReconnectKitError(
  error: unknown,
  code?: ReconnectKitErrorCode,
): error is ReconnectKitError {
  if (!(error instanceof Error) || error.name !== 'ReconnectKitError') return false;
  const candidate = (error as { code?: unknown }).code;
  if (typeof candidate !== 'string' || !(candidate in ERROR_CODES)) return false;
  return code === undefined || candidate === code;
}
