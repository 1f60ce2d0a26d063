/**
 * Who is waiting for a vendor call: a user or the host's request path (`interactive`: reconnect starts and
 * completions, revocations, a host's own `checkStatus`) or the safety nets (`background`: sweeps and webhook
 * confirmations). Interactive calls go ahead of background ones.
 */
export type CallPriority = 'interactive' | 'background';

/**
 * A budget of vendor calls per provider shared by every instance of the app (the fleet is one budget). Every call
 * the service makes to a provider first takes a slot; a rate-limit answer pauses the provider for everyone.
 * `@reconnect-kit/store-postgres` implements it on PostgreSQL (`PostgresVendorBudget`).
 */
export interface VendorBudget {
  /** Resolves when a call to `provider` may start (at once for providers the budget does not limit). */
  take(provider: string, priority: CallPriority, signal?: AbortSignal): Promise<void>;
  /** The vendor said "too many requests": no call to `provider` starts anywhere for `ms` (a Retry-After). */
  pause(provider: string, ms: number): Promise<void>;
}

/** The default: no budget beyond each sweep's own `ratePerSecond` and the vendors' Retry-After. */
export const UNLIMITED_BUDGET: VendorBudget = {
  take: async () => {},
  pause: async () => {},
};
