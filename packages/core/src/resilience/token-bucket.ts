import type { Clock } from '../clock.js';

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
}

/**
 * A rate limiter on the injected clock. The bucket holds one token and refills at `ratePerSecond`, so tokens are
 * handed out `1000 / ratePerSecond` ms apart and no one-second window, wherever it starts, sees more than
 * `ratePerSecond` of them (a bigger bucket would allow bursts of twice the rate). Waiters are served in order.
 */
export class TokenBucket {
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #queue: Waiter[] = [];
  /** The earliest time (epoch ms) the next token may be handed out. */
  #nextAt = Number.NEGATIVE_INFINITY;
  #pausedUntil = Number.NEGATIVE_INFINITY;
  #pumping = false;

  constructor(clock: Clock, ratePerSecond: number) {
    if (!(Number.isFinite(ratePerSecond) && ratePerSecond > 0)) {
      throw new RangeError('ratePerSecond must be a positive number.');
    }
    this.#clock = clock;
    this.#intervalMs = 1000 / ratePerSecond;
  }

  /** Resolves when the caller may make one call; rejects with the signal's reason if it aborts first. */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.#queue.indexOf(waiter);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
      void this.#pump();
    });
  }

  /** Hands out no token before `until` (a vendor's Retry-After), to new callers and to those already waiting. */
  pauseUntil(until: Date): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, until.getTime());
  }

  /** One loop hands out tokens in queue order, re-reading the pause after every wait. */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0) {
        const now = this.#clock.now().getTime();
        const at = Math.max(this.#nextAt, this.#pausedUntil);
        if (at > now) {
          await this.#clock.sleep(at - now);
          continue;
        }
        this.#nextAt = now + this.#intervalMs;
        this.#queue.shift()?.resolve();
      }
    } finally {
      this.#pumping = false;
    }
  }
}
