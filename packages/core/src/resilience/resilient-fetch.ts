import type { Clock } from '../clock.js';
import type { HttpFetch } from '../ports.js';
import { backoffDelay } from './backoff.js';
import { parseRetryAfter } from './retry-after.js';
import { type AttemptOutcome, isRetryable, noResponseOutcome } from './retry-policy.js';

export interface RetryOptions {
  /** Attempts per call, the first included (1 = never retry). Default 3. */
  readonly maxAttempts?: number | undefined;
  /** Ceiling of the first backoff wait (see `backoffDelay`). Default 500 ms. */
  readonly initialDelayMs?: number | undefined;
  /** Longest backoff wait. Default 8 s. */
  readonly maxDelayMs?: number | undefined;
  /**
   * The longest `Retry-After` waited out in place. A longer one is not waited for: the 429/503 goes back to the
   * caller at once (a sweep then pauses as a whole; an interactive call fails fast). Default 10 s.
   */
  readonly maxRetryAfterMs?: number | undefined;
}

export interface ResilientFetchOptions {
  /** Every wait (backoff, Retry-After, timeout) runs on this clock. */
  readonly clock: Clock;
  readonly retry?: RetryOptions | undefined;
  /** Per attempt, until the response headers arrive. Default 30 s; the caller's own `signal` still applies. */
  readonly timeoutMs?: number | undefined;
  /** [0, 1) source for backoff jitter (inject a seeded one in tests). */
  readonly random?: (() => number) | undefined;
}

export const DEFAULT_RETRY = {
  maxAttempts: 3,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 10_000,
} as const satisfies Required<RetryOptions>;
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Raised (as the fetch rejection) when an attempt outlives `timeoutMs`. */
export class FetchTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(timeoutMs: number) {
    super(`The request got no response within ${timeoutMs} ms.`);
  }
}

/**
 * Decorates an `HttpFetch` (the `HTTP_FETCH` port) with per-attempt timeouts and retries: 429, transient 5xx and
 * network failures only, idempotent methods only unless the server cannot have acted (see `isRetryable`), with
 * jittered exponential backoff or the server's `Retry-After` (capped), all on the injected clock. A 429 with
 * `Retry-After` also holds back every other call made through the same decorated fetch until it has passed.
 * When attempts run out, the last response is returned (or the last error thrown) for the caller to map.
 */
export function createResilientFetch(fetchImpl: HttpFetch, options: ResilientFetchOptions): HttpFetch {
  const { clock, random = Math.random } = options;
  const retry = { ...DEFAULT_RETRY, ...definedOnly(options.retry ?? {}) };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(Number.isInteger(retry.maxAttempts) && retry.maxAttempts >= 1)) {
    throw new RangeError('retry.maxAttempts must be an integer of at least 1.');
  }
  if (!(timeoutMs > 0)) throw new RangeError('timeoutMs must be positive.');
  /** Epoch ms before which no call goes out (a 429's Retry-After, shared by all calls). */
  let heldUntil = 0;

  const attempt = async (
    input: Parameters<HttpFetch>[0],
    init: RequestInit | undefined,
    caller: AbortSignal | undefined,
  ) => {
    const controller = new AbortController();
    const stopTimer = new AbortController();
    let settled = false;
    const onCallerAbort = () => controller.abort(caller?.reason);
    if (caller?.aborted) onCallerAbort();
    caller?.addEventListener('abort', onCallerAbort, { once: true });
    clock.sleep(timeoutMs, stopTimer.signal).then(
      () => {
        if (!settled) controller.abort(new FetchTimeoutError(timeoutMs));
      },
      () => undefined,
    );
    try {
      const request = input instanceof Request ? input.clone() : input;
      const pending = fetchImpl(request, { ...init, signal: controller.signal });
      pending.catch(() => undefined); // it may lose the race below and reject later
      // Raced as well, so a timeout holds even for a fetch that ignores its signal.
      const aborted = new Promise<never>((_, reject) => {
        if (controller.signal.aborted) reject(controller.signal.reason);
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      });
      return await Promise.race([pending, aborted]);
    } finally {
      settled = true;
      stopTimer.abort();
      caller?.removeEventListener('abort', onCallerAbort);
    }
  };

  return async (input, init) => {
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const caller = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    // A streamed body cannot be sent twice.
    const replayable = !(init?.body instanceof ReadableStream);
    for (let attemptNo = 1; ; attemptNo += 1) {
      const hold = heldUntil - clock.now().getTime();
      if (hold > 0) await clock.sleep(hold, caller);
      let outcome: AttemptOutcome;
      let response: Response | undefined;
      let failure: unknown;
      try {
        response = await attempt(input, init, caller);
        outcome = { kind: 'response', status: response.status };
      } catch (error) {
        if (caller?.aborted) throw error;
        failure = error;
        outcome = noResponseOutcome(error);
      }
      if (attemptNo >= retry.maxAttempts || !replayable || !isRetryable(method, outcome)) {
        if (response) return response;
        throw failure;
      }
      const serverWait = response ? parseRetryAfter(response.headers, clock.now()) : undefined;
      // Longer than we wait in place: the answer goes back to the caller now.
      if (response && serverWait !== undefined && serverWait > retry.maxRetryAfterMs) return response;
      if (response?.status === 429 && serverWait !== undefined) {
        heldUntil = Math.max(heldUntil, clock.now().getTime() + serverWait);
      }
      const wait = serverWait ?? backoffDelay(attemptNo, retry, random);
      await response?.body?.cancel().catch(() => undefined);
      await clock.sleep(wait, caller);
    }
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
