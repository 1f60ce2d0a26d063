import { RateLimiterMemory } from 'rate-limiter-flexible';

/**
 * Any rate-limiter-flexible limiter (`RateLimiterMemory`, or `RateLimiterRedis` / `RateLimiterPostgres` so that
 * several instances share one budget): `consume(key)` resolves when allowed and rejects with `{ msBeforeNext }`
 * when the key is over its limit (and with an `Error` when the limiter's store fails).
 */
export interface StartRateLimiter {
  consume(key: string): Promise<unknown>;
}

/** The default: 10 starts per connection per hour, in this process's memory. */
export const DEFAULT_START_RATE_LIMIT = { points: 10, durationSeconds: 3600 } as const;

export function defaultStartRateLimiter(): StartRateLimiter {
  return new RateLimiterMemory({
    points: DEFAULT_START_RATE_LIMIT.points,
    duration: DEFAULT_START_RATE_LIMIT.durationSeconds,
    keyPrefix: 'reconnect-start',
  });
}

/** Spends one start of `key`'s budget; returns the seconds to wait when it is spent, `undefined` when allowed. */
export async function spendStart(limiter: StartRateLimiter, key: string): Promise<number | undefined> {
  try {
    await limiter.consume(key);
    return undefined;
  } catch (reason) {
    const msBeforeNext = (reason as { msBeforeNext?: unknown } | null)?.msBeforeNext;
    if (reason instanceof Error || typeof msBeforeNext !== 'number') throw reason;
    return Math.max(1, Math.ceil(msBeforeNext / 1000));
  }
}
