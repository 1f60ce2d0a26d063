/**
 * How long the server asks us to wait, in ms: `retry-after-ms` (Finch's SDKs honour it), else `Retry-After` as
 * delta-seconds or an HTTP date. Anything unparsable or negative is ignored (undefined), a date in the past is 0.
 */
export function parseRetryAfter(headers: Headers, now: Date): number | undefined {
  const ms = headers.get('retry-after-ms')?.trim();
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms)) return Math.ceil(Number(ms));
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // IMF-fixdate or RFC 850 (weekday, comma, GMT); Date.parse alone would also accept "5" or "1.5".
  if (!/^[A-Za-z]{3,9}, .+ GMT$/.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
