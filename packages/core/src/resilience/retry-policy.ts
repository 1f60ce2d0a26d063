/** What one attempt of an HTTP call ended with. */
export type AttemptOutcome =
  | { readonly kind: 'response'; readonly status: number }
  /** No response. `sent` is false only when the request provably never left (connection refused, DNS). */
  | { readonly kind: 'no_response'; readonly sent: boolean };

/** Methods whose repetition has the same effect as one call (RFC 9110 §9.2.2). */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** undici's error codes for failures before any byte of the request reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** 5xx answers a retry can fix: every one but 501 Not Implemented and 505 HTTP Version Not Supported. */
const isTransientServerError = (status: number) =>
  status >= 500 && status <= 599 && status !== 501 && status !== 505;

/**
 * Whether another attempt may help and is safe. Only 429, transient 5xx and network failures are retried; other
 * 4xx never (a retry cannot fix them). A non-idempotent call (POST, PATCH) is retried only when the server cannot
 * have acted on it: a 429 (refused before processing) or a connection that was never made. A 5xx, a timeout or a
 * reset after sending may mean the server did act (an authorization code already exchanged), so those surface.
 */
export function isRetryable(method: string, outcome: AttemptOutcome): boolean {
  const idempotent = IDEMPOTENT_METHODS.has(method.toUpperCase());
  if (outcome.kind === 'no_response') return idempotent || !outcome.sent;
  if (outcome.status === 429) return true;
  return idempotent && isTransientServerError(outcome.status);
}

/** Reads a fetch failure: `sent: false` only for undici's connect-phase errors (in `cause.code`). */
export function noResponseOutcome(error: unknown): AttemptOutcome {
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return { kind: 'no_response', sent: !(typeof code === 'string' && NOT_SENT_CODES.has(code)) };
}
