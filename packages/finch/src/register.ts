import { CLOCK, HTTP_FETCH, type HttpFetch, RECONNECTION_PROVIDER, SystemClock } from '@reconnect-kit/core';
import { type DependencyContainer, Lifecycle } from 'tsyringe';
import { type FinchConfigInput, parseFinchConfig } from './config.js';
import { FinchProvider } from './finch-provider.js';
import { FINCH_CONFIG } from './tokens.js';

/** Late-bound so interceptors installed after registration (msw, nock) still see the calls. */
const globalFetch: HttpFetch = (input, init) => globalThis.fetch(input, init);

/**
 * Validates the config (a bad field throws `config_invalid` naming it) and registers one Finch provider under
 * `RECONNECTION_PROVIDER` and `FinchProvider`. `HTTP_FETCH` and `CLOCK` default to global fetch and the system clock
 * when the container has none.
 */
export function registerFinch(container: DependencyContainer, config: FinchConfigInput): void {
  container.register(FINCH_CONFIG, { useValue: parseFinchConfig(config) });
  if (!container.isRegistered(HTTP_FETCH, true)) container.register(HTTP_FETCH, { useValue: globalFetch });
  if (!container.isRegistered(CLOCK, true)) container.register(CLOCK, { useValue: new SystemClock() });
  container.register(FinchProvider, { useClass: FinchProvider }, { lifecycle: Lifecycle.Singleton });
  container.register(RECONNECTION_PROVIDER, { useToken: FinchProvider });
}
