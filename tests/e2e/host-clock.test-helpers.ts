/** A clock for the host app under test: real time plus an offset the test moves forward (sleeps stay real). */
import { SystemClock } from '@reconnect-kit/core';

export class MovableClock extends SystemClock {
  #offsetMs = 0;

  override now(): Date {
    return new Date(Date.now() + this.#offsetMs);
  }

  /** Moves the host's time forward, as if `ms` had passed. */
  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}
