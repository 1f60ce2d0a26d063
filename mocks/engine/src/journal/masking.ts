const MASK = '***';
const SECRET_HEADER = /cookie|secret|token|api[-_]?key|password/i;
const AUTH_HEADER = /^(authorization|proxy-authorization)$/i;
// Bodies carry headers too (Finch's `/forward` passes a provider's own `Authorization` and cookies through).
const SECRET_FIELD = /secret|token|password|api[-_]?key|authorization|cookie/i;

/** Masks a header value; for `Authorization` the scheme stays visible (`Basic ***`, `Bearer ***`). */
export function maskHeader(name: string, value: string): string {
  if (AUTH_HEADER.test(name)) {
    const space = value.indexOf(' ');
    return space > 0 ? `${value.slice(0, space)} ${MASK}` : MASK;
  }
  return SECRET_HEADER.test(name) ? MASK : value;
}

/** Bodies nest at most this deep in the journal's view; deeper values become `DEPTH_MARKER`. */
export const MAX_MASK_DEPTH = 64;
export const DEPTH_MARKER = `[nested deeper than ${MAX_MASK_DEPTH} levels: not shown]`;

/**
 * Deep copy of a parsed body or query with secret-looking fields (`client_secret`, `access_token`, ...) masked.
 * Depth-capped: a hostile 50,000-deep body must not overflow the stack here or in `JSON.stringify` of the answer.
 */
export function maskFields(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_MASK_DEPTH) return DEPTH_MARKER;
  if (Array.isArray(value)) return value.map((item) => maskFields(item, depth + 1));
  const masked: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    masked[key] =
      SECRET_FIELD.test(key) && field !== null && field !== '' ? MASK : maskFields(field, depth + 1);
  }
  return masked;
}
