import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

const options = { initialDelayMs: 500, maxDelayMs: 8_000 };

/** A small seeded generator (mulberry32), so the jitter under test is varied yet reproducible. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('backoffDelay', () => {
  it.each([
    [1, 250, 500],
    [2, 500, 1_000],
    [3, 1_000, 2_000],
    [4, 2_000, 4_000],
    [5, 4_000, 8_000],
    [6, 4_000, 8_000],
    [30, 4_000, 8_000],
  ])('retry %i waits between %i and %i ms, whatever the jitter', (retry, low, high) => {
    expect(backoffDelay(retry, options, () => 0)).toBe(low);
    expect(backoffDelay(retry, options, () => 0.999_999_999)).toBe(high);
    const random = seeded(retry);
    for (let i = 0; i < 200; i += 1) {
      const delay = backoffDelay(retry, options, random);
      expect(delay).toBeGreaterThanOrEqual(low);
      expect(delay).toBeLessThanOrEqual(high);
    }
  });

  it('jitter spreads clients apart', () => {
    const random = seeded(42);
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(3, options, random)));
    expect(delays.size).toBeGreaterThan(25);
  });
});
