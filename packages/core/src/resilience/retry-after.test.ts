import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.js';

const NOW = new Date('2026-11-23T12:00:00.000Z');
const parse = (headers: Record<string, string>) => parseRetryAfter(new Headers(headers), NOW);

describe('parseRetryAfter', () => {
  it.each([
    [{ 'retry-after': '30' }, 30_000],
    [{ 'retry-after': '0' }, 0],
    [{ 'retry-after': ' 7 ' }, 7_000],
    [{ 'retry-after': 'Mon, 23 Nov 2026 12:01:00 GMT' }, 60_000],
    [{ 'retry-after': 'Monday, 23-Nov-26 12:00:05 GMT' }, 5_000],
    // A date in the past means "now".
    [{ 'retry-after': 'Mon, 23 Nov 2026 11:00:00 GMT' }, 0],
    [{ 'retry-after-ms': '1500' }, 1_500],
    [{ 'retry-after-ms': '2.5' }, 3],
    // retry-after-ms is the more precise of the two.
    [{ 'retry-after-ms': '250', 'retry-after': '30' }, 250],
  ])('%j → %i ms', (headers, expected) => {
    expect(parse(headers)).toBe(expected);
  });

  it.each([
    [{}],
    [{ 'retry-after': '' }],
    [{ 'retry-after': '-5' }],
    [{ 'retry-after': '1.5' }],
    [{ 'retry-after': 'soon' }],
    [{ 'retry-after': '2026-11-23T12:01:00Z' }],
    [{ 'retry-after': 'Mon, 99 Foo 2026 12:01:00 GMT' }],
    [{ 'retry-after-ms': 'abc' }],
    [{ 'retry-after-ms': '-1' }],
  ])('ignores %j', (headers) => {
    expect(parse(headers)).toBeUndefined();
  });
});
