import { CLOCK, HTTP_FETCH, type HttpFetch, RECONNECTION_PROVIDER, SystemClock } from '@reconnect-kit/core';
import { type DependencyContainer, Lifecycle } from 'tsyringe';
import { parsePlaidConfig } from './config.js';
import { PlaidProvider } from './provider.js';
import { PLAID_CONFIG } from './tokens.js';

/** Late-bound so interceptors installed after registration (msw) still see the calls. */
const globalFetch: HttpFetch = (input, init) => globalThis.fetch(input, init);

/**
 * Validates the config (a bad field throws `config_invalid` naming it; nothing is registered then) and registers
 * one Plaid provider under `RECONNECTION_PROVIDER` and `PlaidProvider`.
 */
export function registerPlaid(container: DependencyContainer, config: unknown): void {
  container.register(PLAID_CONFIG, { useValue: parsePlaidConfig(config) });
  if (!container.isRegistered(HTTP_FETCH, true)) container.register(HTTP_FETCH, { useValue: globalFetch });
  if (!container.isRegistered(CLOCK, true)) container.register(CLOCK, { useValue: new SystemClock() });
  container.register(PlaidProvider, { useClass: PlaidProvider }, { lifecycle: Lifecycle.Singleton });
  container.register(RECONNECTION_PROVIDER, { useToken: PlaidProvider });
}
