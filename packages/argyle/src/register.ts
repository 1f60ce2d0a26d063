import {
  CLOCK,
  type Clock,
  HTTP_FETCH,
  type HttpFetch,
  RECONNECTION_PROVIDER,
  SystemClock,
} from '@reconnect-kit/core';
import type { DependencyContainer } from 'tsyringe';
import { type ArgyleConfig, resolveArgyleConfig } from './config.js';
import { ArgyleProvider } from './provider.js';
import { ARGYLE_CONFIG } from './tokens.js';

/** Calls the global fetch at call time, so test interceptors installed later (msw) still apply. */
const globalFetch: HttpFetch = (input, init) => fetch(input, init);

/**
 * Validates `config` (a `config_invalid` error names the bad field) and registers the Argyle adapter under
 * `RECONNECTION_PROVIDER` (one instance per container) plus its config under `ARGYLE_CONFIG`.
 * `HTTP_FETCH` and `CLOCK` default to the global fetch and the system clock when the container has none.
 */
export function registerArgyle(container: DependencyContainer, config: ArgyleConfig): ArgyleProvider {
  const resolved = resolveArgyleConfig(config);
  container.register(ARGYLE_CONFIG, { useValue: resolved });
  if (!container.isRegistered(HTTP_FETCH, true))
    container.register<HttpFetch>(HTTP_FETCH, { useValue: globalFetch });
  if (!container.isRegistered(CLOCK, true)) container.register<Clock>(CLOCK, { useValue: new SystemClock() });
  const provider = container.resolve(ArgyleProvider);
  container.register(ArgyleProvider, { useValue: provider });
  container.register(RECONNECTION_PROVIDER, { useValue: provider });
  return provider;
}
