/**
 * The most timestamps (ms) inside any half-open one-second window [t, t + 1000) that starts at one of them: how a
 * vendor counting calls per second sees a list of call times. For tests of rate limits and vendor budgets.
 */
export function busiestSecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let busiest = 0;
  for (let start = 0, end = 0; start < sorted.length; start += 1) {
    while (end < sorted.length && (sorted[end] ?? 0) < (sorted[start] ?? 0) + 1000) end += 1;
    busiest = Math.max(busiest, end - start);
  }
  return busiest;
}
