/** Exponential backoff with "equal jitter": attempt n waits between half and all of min(initial · 2^(n-1), max). */
export interface BackoffOptions {
  /** Ceiling of the first wait. */
  readonly initialDelayMs: number;
  /** No wait is longer than this. */
  readonly maxDelayMs: number;
}

/**
 * The wait before retry number `retry` (1 = the first retry). `random` returns [0, 1) (inject a seeded one in
 * tests). Half the ceiling is kept so a retry never comes back at once; the other half spreads clients apart.
 */
export function backoffDelay(
  retry: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
