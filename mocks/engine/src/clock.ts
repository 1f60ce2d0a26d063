import type { MockClockView } from './types.js';

export interface MockClockSnapshot {
  now: string;
  frozen: boolean;
  offset_ms: number;
}

/**
 * Follows real time plus an offset (`advance`), or stands still at a set instant (`set`; `advance` then moves the
 * frozen instant). `reset` returns to plain real time.
 */
export class MockClock implements MockClockView {
  readonly #realNow: () => number;
  #offsetMs = 0;
  #frozenAt: number | undefined;

  constructor(realNow: () => number = Date.now) {
    this.#realNow = realNow;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  nowMs(): number {
    return this.#frozenAt ?? this.#realNow() + this.#offsetMs;
  }

  advance(ms: number): void {
    if (this.#frozenAt === undefined) this.#offsetMs += ms;
    else this.#frozenAt += ms;
  }

  set(instant: Date): void {
    this.#frozenAt = instant.getTime();
    this.#offsetMs = this.#frozenAt - this.#realNow();
  }

  reset(): void {
    this.#offsetMs = 0;
    this.#frozenAt = undefined;
  }

  snapshot(): MockClockSnapshot {
    // One reading of real time: two could straddle a millisecond and report an offset nobody set.
    const realNow = this.#realNow();
    const now = this.#frozenAt ?? realNow + this.#offsetMs;
    return {
      now: new Date(now).toISOString(),
      frozen: this.#frozenAt !== undefined,
      offset_ms: now - realNow,
    };
  }
}
