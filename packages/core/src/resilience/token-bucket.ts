import type { Clock } from '../clock.js';

/** How far behind the ideal schedule (at least one interval) a late timer may hand out tokens to catch up. */
const MAX_CATCH_UP_MS = 100;

/**
 * The window the per-second count is kept over: one second plus a 5 ms margin for the jitter between a token and
 * the vendor call it pays for (the call, not the token, is what the vendor counts). Costs at most 0.5 % of the rate.
 */
const WINDOW_MS = 1005;

interface Waiter {
  /** When the caller asked (epoch ms): time before it, with nobody waiting, earns no catch-up. */
  readonly askedAt: number;
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
}

/**
 * A rate limiter on the injected clock. Tokens are due `1000 / ratePerSecond` ms apart, each scheduled from when
 * the previous one was due (not from when a late timer woke), so waiters get the configured rate even when timers
 * fire up to `MAX_CATCH_UP_MS` (or one interval) late. Catching up never exceeds the rate: no one-second window,
 * wherever it starts, sees more than `ceil(ratePerSecond)` tokens (a plain bucket bigger than one token would allow
 * bursts of twice the rate). Waiters are served in order.
 */
export class TokenBucket {
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #queue: Waiter[] = [];
  /** When (epoch ms) the next token is due on the ideal schedule. */
  #nextAt = Number.NEGATIVE_INFINITY;
  /** When the last `ceil(ratePerSecond)` tokens were handed out, oldest first (the one-second window's memory). */
  readonly #recent: number[] = [];
  readonly #perSecond: number;
  readonly #catchUpMs: number;
  #pausedUntil = Number.NEGATIVE_INFINITY;
  #pumping = false;

  constructor(clock: Clock, ratePerSecond: number) {
    if (!(Number.isFinite(ratePerSecond) && ratePerSecond > 0)) {
      throw new RangeError('ratePerSecond must be a positive number.');
    }
    this.#clock = clock;
    this.#intervalMs = 1000 / ratePerSecond;
    this.#perSecond = Math.ceil(ratePerSecond);
    this.#catchUpMs = Math.max(MAX_CATCH_UP_MS, this.#intervalMs);
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
        askedAt: this.#clock.now().getTime(),
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
      for (let waiter = this.#queue[0]; waiter; waiter = this.#queue[0]) {
        const now = this.#clock.now().getTime();
        // A late wake-up keeps its place on the schedule, but only so far back: after a stall (a blocked event
        // loop) the schedule restarts instead of owing a long run of tokens.
        const due = Math.max(this.#nextAt, now - this.#catchUpMs, waiter.askedAt, this.#pausedUntil);
        const oldest = this.#recent.length < this.#perSecond ? undefined : this.#recent[0];
        const at = Math.max(due, oldest === undefined ? due : oldest + WINDOW_MS);
        if (at > now) {
          await this.#clock.sleep(at - now);
          continue;
        }
        this.#nextAt = due + this.#intervalMs;
        this.#recent.push(now);
        if (this.#recent.length > this.#perSecond) this.#recent.shift();
        this.#queue.shift()?.resolve();
      }
    } finally {
      this.#pumping = false;
    }
  }
}
