import type { HttpError } from './http-error.js';

const NO_STORE = { 'cache-control': 'no-store' };

/** A JSON answer as plain data, so an adapter can write it natively (express) or wrap it (fetch `Response`). */
export interface JsonAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The serialised JSON document. */
  readonly body: string;
}

export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): JsonAnswer {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...NO_STORE, ...headers },
    body: JSON.stringify(body),
  };
}

export function errorAnswer(error: HttpError, headers: Record<string, string> = {}): JsonAnswer {
  return jsonAnswer(error.status, error.body, { ...error.headers, ...headers });
}

export function toResponse(answer: JsonAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return toResponse(jsonAnswer(status, body, headers));
}

export function errorResponse(error: HttpError, headers: Record<string, string> = {}): Response {
  return toResponse(errorAnswer(error, headers));
}

/** 303 See Other: the browser follows it with a GET whatever the original method was. */
export function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location, ...NO_STORE } });
}

/** Adds query parameters to an absolute or a root-relative URL, keeping its existing query and fragment. */
export function withQuery(target: string, params: Record<string, string>): string {
  const isAbsolute = URL.canParse(target);
  const url = new URL(target, 'http://relative.invalid');
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return isAbsolute ? url.href : `${url.pathname}${url.search}${url.hash}`;
}
