import type { MockResponse } from '../types.js';

/** What the pipeline answers: a response to write, or "drop the connection". */
export type PipelineResult =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: string | Uint8Array | null }
  | { kind: 'reset' };

export const RESET_CONNECTION: PipelineResult = { kind: 'reset' };

/** Serialises a handler's `MockResponse`: objects → JSON, strings → text, bytes → as-is. */
export function toPipelineResult(response: MockResponse): PipelineResult {
  const headers = response.headers ? { ...response.headers } : {};
  const body = response.body;
  if (body === undefined) return { kind: 'response', status: response.status, headers, body: null };
  if (typeof body === 'string') {
    setDefaultContentType(headers, 'text/plain; charset=utf-8');
    return { kind: 'response', status: response.status, headers, body };
  }
  if (body instanceof Uint8Array) {
    setDefaultContentType(headers, 'application/octet-stream');
    return { kind: 'response', status: response.status, headers, body };
  }
  setDefaultContentType(headers, 'application/json');
  return { kind: 'response', status: response.status, headers, body: JSON.stringify(body) };
}

export function jsonResult(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): PipelineResult {
  return {
    kind: 'response',
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

function setDefaultContentType(headers: Record<string, string>, contentType: string): void {
  if (headers['content-type'] !== undefined) return;
  for (const name in headers) if (name.toLowerCase() === 'content-type') return;
  headers['content-type'] = contentType;
}

const utf8 = new TextDecoder();

/** Cuts the body in half so it no longer parses (the `malformed_body` fault). */
export function malformBody(result: PipelineResult): PipelineResult {
  if (result.kind === 'reset') return result;
  const text =
    result.body === null ? '' : typeof result.body === 'string' ? result.body : utf8.decode(result.body);
  let broken = text.slice(0, Math.floor(text.length / 2));
  if (isParseableJson(broken)) broken = `${broken}{"`;
  return { ...result, body: broken };
}

function isParseableJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Converts a pipeline result to a fetch `Response` (msw, `instance.handle`). */
export function toFetchResponse(result: PipelineResult): Response {
  if (result.kind === 'reset') return Response.error();
  const nullBodyStatus = result.status === 204 || result.status === 205 || result.status === 304;
  const body = nullBodyStatus || result.body === null ? null : result.body;
  return new Response(body as BodyInit | null, { status: result.status, headers: result.headers });
}
