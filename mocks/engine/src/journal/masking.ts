const MASK = '***';
const SECRET_HEADER = /cookie|secret|token|api[-_]?key|password/i;
const AUTH_HEADER = /^(authorization|proxy-authorization)$/i;
const SECRET_FIELD = /secret|token|password|api[-_]?key/i;

/** Masks a header value; for `Authorization` the scheme stays visible (`Basic ***`, `Bearer ***`). */
export function maskHeader(name: string, value: string): string {
  if (AUTH_HEADER.test(name)) {
    const space = value.indexOf(' ');
    return space > 0 ? `${value.slice(0, space)} ${MASK}` : MASK;
  }
  return SECRET_HEADER.test(name) ? MASK : value;
}

/** Deep copy of a parsed body or query with secret-looking fields (`client_secret`, `access_token`, ...) masked. */
export function maskFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskFields);
  if (value === null || typeof value !== 'object') return value;
  const masked: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    masked[key] = SECRET_FIELD.test(key) && field !== null && field !== '' ? MASK : maskFields(field);
  }
  return masked;
}
