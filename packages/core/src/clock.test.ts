import { describe, expect, it } from 'vitest';
import { isoTime } from './clock.js';

describe('isoTime', () => {
  it('formats each time as toISOString does, also right after another time or the same Date moved', () => {
    const first = new Date('2026-03-01T12:00:00.000Z');
    expect(isoTime(first)).toBe('2026-03-01T12:00:00.000Z');
    expect(isoTime(new Date(first.getTime()))).toBe('2026-03-01T12:00:00.000Z');
    expect(isoTime(new Date('2026-03-01T12:00:00.001Z'))).toBe('2026-03-01T12:00:00.001Z');
    first.setTime(Date.parse('2027-01-02T03:04:05.678Z'));
    expect(isoTime(first)).toBe('2027-01-02T03:04:05.678Z');
  });

  it('rejects an invalid date like toISOString', () => {
    expect(() => isoTime(new Date(Number.NaN))).toThrow(RangeError);
  });
});
