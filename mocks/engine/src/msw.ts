import { type HttpHandler, http } from 'msw';
import type { MockInstance } from './instance.js';

/**
 * One catch-all msw handler for `baseUrl` that runs the instance's pipeline, so
 * `setupServer(...createMswHandlers(instance, 'http://argyle.test'))` behaves exactly like the HTTP server
 * (including `/__admin`, faults — `reset_connection` becomes a network error — and the journal).
 */
export function createMswHandlers<S>(instance: MockInstance<S>, baseUrl: string): HttpHandler[] {
  const base = baseUrl.replace(/\/+$/, '');
  return [http.all(`${base}/*`, ({ request }) => instance.handle(request, { baseUrl: base }))];
}
