import type { IncomingHttpHeaders } from 'node:http';

/** Header source: a fetch `Headers` (msw, `handle(Request)`) or node's lowercased header object (server). */
export type HeaderSource = Headers | IncomingHttpHeaders;

/** One request entering the pipeline, before routing. Built without copying the body. */
export interface IncomingCall {
  method: string;
  /** Path (relative to the mock's base path) plus `?query`, as received. */
  target: string;
  headers: HeaderSource;
  rawBody: Uint8Array;
  /** The body exceeded the size limit (answered with 413; `rawBody` is then empty). */
  bodyTooLarge?: boolean;
  /** Origin (plus base path) the client used, e.g. `http://127.0.0.1:4010`. */
  baseUrl: string;
}

export function forEachHeader(source: HeaderSource, visit: (name: string, value: string) => void): void {
  if (source instanceof Headers) {
    for (const [name, value] of source) visit(name, value);
    return;
  }
  for (const name in source) {
    const value = source[name];
    if (value === undefined) continue;
    visit(name, Array.isArray(value) ? value.join(', ') : value);
  }
}

export function toHeaders(source: HeaderSource): Headers {
  if (source instanceof Headers) return source;
  const headers = new Headers();
  forEachHeader(source, (name, value) => headers.append(name, value));
  return headers;
}
