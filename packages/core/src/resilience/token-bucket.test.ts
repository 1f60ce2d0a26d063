import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { busiestSecond } from '../testing/rate.js';
import { drive } from './resilience.test-helpers.js';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it.each([1, 3, 5, 10, 2.5])(
    'never hands out more than %s tokens in any one-second window',
    async (rate) => {
      const clock = new ManualClock();
      const bucket = new TokenBucket(clock, rate);
      const times: number[] = [];
      // 25 callers all asking at once, like a sweep's workers.
      const callers = Array.from({ length: 25 }, () =>
        bucket.take().then(() => times.push(clock.now().getTime())),
      );
      await drive(clock, Promise.all(callers), 5);
      expect(times).toHaveLength(25);
      expect(busiestSecond(times)).toBe(Math.ceil(rate));
      // Not slower than asked either: 25 tokens take 24 intervals (plus the 5 ms steps the test clock moves in).
      const span = Math.max(...times) - Math.min(...times);
      expect(span).toBeLessThanOrEqual((24 / rate) * 1000 + 24 * 5);
    },
  );

  it('keeps the configured rate when every timer fires late, without exceeding it in any second', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(clock, 40);
    const times: number[] = [];
    const callers = Array.from({ length: 200 }, () =>
      bucket.take().then(() => times.push(clock.now().getTime())),
    );
    // The clock moves in 60 ms steps: every 25 ms sleep wakes 5–35 ms late, like timers on a busy event loop.
    await drive(clock, Promise.all(callers), 60);
    expect(busiestSecond(times)).toBeLessThanOrEqual(40);
    // 200 tokens at 40/s are due over 4,975 ms (within 10 % here: the window check holds back a few late
    // clumps); scheduling each token from the wake-up time would take 12 s (one token per 60 ms step).
    const span = Math.max(...times) - Math.min(...times);
    expect(span).toBeLessThanOrEqual(4_975 * 1.1);
  });

  it('restarts its schedule after a stall instead of bursting the missed tokens', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(clock, 10);
    const times: number[] = [];
    const callers = Array.from({ length: 30 }, () =>
      bucket.take().then(() => times.push(clock.now().getTime())),
    );
    await clock.advance(0);
    await clock.advance(3_000); // the event loop was blocked for 3 s
    const afterStall = times.length;
    await drive(clock, Promise.all(callers), 5);
    expect(afterStall).toBeLessThanOrEqual(3); // the first token, then at most one interval of catch-up
    expect(busiestSecond(times)).toBeLessThanOrEqual(10);
  });

  it('serves waiters in order', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(clock, 2);
    const order: number[] = [];
    const callers = [0, 1, 2, 3].map((i) => bucket.take().then(() => order.push(i)));
    await drive(clock, Promise.all(callers));
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it('a pause holds back new callers and the ones already waiting', async () => {
    const clock = new ManualClock();
    const start = clock.now().getTime();
    const bucket = new TokenBucket(clock, 10);
    await bucket.take(); // t = 0
    const waiting = bucket.take().then(() => clock.now().getTime() - start); // slot at t = 100
    bucket.pauseUntil(new Date(start + 5_000));
    const late = bucket.take().then(() => clock.now().getTime() - start);
    const [first, second] = await drive(clock, Promise.all([waiting, late]));
    expect(first).toBeGreaterThanOrEqual(5_000);
    expect(second).toBeGreaterThanOrEqual(first + 100);
    expect(second).toBeLessThan(5_300);
  });

  it('refuses a rate that is not a positive number', () => {
    for (const rate of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new TokenBucket(new ManualClock(), rate)).toThrow(/ratePerSecond/);
    }
  });
});
