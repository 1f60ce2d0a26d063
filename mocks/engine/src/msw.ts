import { createRequire } from 'node:module';
import type { HttpHandler } from 'msw';
import type { MockInstance } from './instance.js';

// msw is loaded on the first call, not with the engine: the CLI and HTTP servers never use it, and loading it is
// a third of a CLI start. msw is ESM-only, so `require` returns the same module instance an `import` does.
const load = createRequire(import.meta.url);

/**
 * One catch-all msw handler for `baseUrl` that runs the instance's pipeline, so
 * `setupServer(...createMswHandlers(instance, 'http://argyle.test'))` behaves exactly like the HTTP server
 * (including `/__admin`, faults — `reset_connection` becomes a network error — and the journal).
 */
export function createMswHandlers<S>(instance: MockInstance<S>, baseUrl: string): HttpHandler[] {
  const { http } = load('msw') as typeof import('msw');
  const base = baseUrl.replace(/\/+$/, '');
  return [http.all(`${base}/*`, ({ request }) => instance.handle(request, { baseUrl: base }))];
}
