import type { Clock } from '../clock.js';

/**
 * A rate limiter on the injected clock. The bucket holds one token and refills at `ratePerSecond`, so calls are
 * spaced `1000 / ratePerSecond` ms apart and no one-second window, wherever it starts, sees more than
 * `ratePerSecond` calls (a bigger bucket would allow bursts of twice the rate). Waiters are served in order.
 */
export class TokenBucket {
  readonly #clock: Clock;
  readonly #intervalMs: number;
  /** The earliest time (epoch ms) the next token may be handed out. */
  #nextAt = Number.NEGATIVE_INFINITY;
  #pausedUntil = Number.NEGATIVE_INFINITY;

  constructor(clock: Clock, ratePerSecond: number) {
    if (!(Number.isFinite(ratePerSecond) && ratePerSecond > 0)) {
      throw new RangeError('ratePerSecond must be a positive number.');
    }
    this.#clock = clock;
    this.#intervalMs = 1000 / ratePerSecond;
  }

  /** Resolves when the caller may make one call. */
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.#clock.now().getTime();
      const at = Math.max(now, this.#nextAt, this.#pausedUntil);
      this.#nextAt = at + this.#intervalMs;
      if (at > now) await this.#clock.sleep(at - now, signal);
      // A pause that began while this caller waited covers its slot too: queue again behind it.
      if (this.#pausedUntil <= at) return;
    }
  }

  /** Hands out no token before `until` (a vendor's Retry-After), including to callers already waiting. */
  pauseUntil(until: Date): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, until.getTime());
  }
}
