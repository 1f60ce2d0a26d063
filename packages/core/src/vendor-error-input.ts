/**
 * Readers for the loose shapes a failed vendor call arrives in (an SDK error, a fetch Response, a plain
 * `{ status, body, headers }`), shared by the adapters' error readers.
 */

/** A body given as JSON text is parsed (undefined when it is not JSON); any other body is returned as is. */
export function parseJsonBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Headers from a fetch `Headers` or a plain/axios header record (string values only); undefined for anything else. */
export function toHeaders(headers: unknown): Headers | undefined {
  if (headers instanceof Headers) return headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  const entries = Object.entries(headers).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  return new Headers(entries);
}
