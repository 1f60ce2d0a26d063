import type { MockResponse } from '../types.js';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): MockResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body };
}

export function html(status: number, markup: string): MockResponse {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8' }, body: markup };
}

export function redirect(location: string, status = 302): MockResponse {
  return { status, headers: { location } };
}

export function empty(status = 204): MockResponse {
  return { status };
}
