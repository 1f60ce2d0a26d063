import { describe, expect, it } from 'vitest';
import { MockClock } from './clock.js';

describe('MockClock.snapshot', () => {
  it('reports the offset that was set, even when real time moves between readings', () => {
    let real = 1_000;
    // Every reading of real time is a millisecond later, as on a busy machine.
    const clock = new MockClock(() => real++);
    clock.advance(60_000);
    expect(clock.snapshot().offset_ms).toBe(60_000);
    expect(clock.snapshot().offset_ms).toBe(60_000);
  });

  it('reports a frozen instant and its distance from real time', () => {
    const clock = new MockClock(() => 5_000);
    clock.set(new Date(65_000));
    expect(clock.snapshot()).toEqual({
      now: new Date(65_000).toISOString(),
      frozen: true,
      offset_ms: 60_000,
    });
  });
});
