import { CLOCK, HTTP_FETCH, type HttpFetch, RECONNECTION_PROVIDER, SystemClock } from '@reconnect-kit/core';
import { type DependencyContainer, Lifecycle } from 'tsyringe';
import { type ArgyleConfig, resolveArgyleConfig } from './config.js';
import { ArgyleProvider } from './provider.js';
import { ARGYLE_CONFIG } from './tokens.js';

/** Late-bound so interceptors installed after registration (msw) still see the calls. */
const globalFetch: HttpFetch = (input, init) => globalThis.fetch(input, init);

/**
 * Validates `config` (a `config_invalid` error names the bad field; nothing is registered then) and registers one
 * Argyle provider under `RECONNECTION_PROVIDER` and `ArgyleProvider`, plus the config under `ARGYLE_CONFIG`.
 * `HTTP_FETCH` and `CLOCK` default to the global fetch and the system clock when the container has none; the
 * provider is created on first resolve, so registrations made later (core's clock) are the ones it gets.
 */
export function registerArgyle(container: DependencyContainer, config: ArgyleConfig): void {
  container.register(ARGYLE_CONFIG, { useValue: resolveArgyleConfig(config) });
  if (!container.isRegistered(HTTP_FETCH, true)) container.register(HTTP_FETCH, { useValue: globalFetch });
  if (!container.isRegistered(CLOCK, true)) container.register(CLOCK, { useValue: new SystemClock() });
  container.register(ArgyleProvider, { useClass: ArgyleProvider }, { lifecycle: Lifecycle.Singleton });
  container.register(RECONNECTION_PROVIDER, { useToken: ArgyleProvider });
}
