import { describe, expect, it } from 'vitest';
import type { HttpFetch } from '../ports.js';
import { drive, RecordingClock } from './resilience.test-helpers.js';
import { createResilientFetch, FetchTimeoutError } from './resilient-fetch.js';

const URL_ = 'https://vendor.test/v2/accounts/acc_1';

type Step = Response | Error | 'hang';

/** A fetch that plays `steps` in order and records when (clock time) and how it was called. */
function scripted(clock: RecordingClock, steps: Step[]) {
  const calls: { at: number; method: string; body: string | undefined; signal: AbortSignal | undefined }[] =
    [];
  const start = clock.now().getTime();
  const fetchImpl: HttpFetch = async (input, init) => {
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const body = input instanceof Request ? await input.text() : (init?.body as string | undefined);
    calls.push({ at: clock.now().getTime() - start, method, body, signal: init?.signal ?? undefined });
    const step = steps.shift();
    if (step === undefined) throw new Error('no more scripted answers');
    if (step === 'hang') return new Promise<Response>(() => undefined); // ignores its signal on purpose
    if (step instanceof Error) throw step;
    return step;
  };
  return { fetchImpl, calls };
}

const answer = (status: number, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ status }), { status, headers });
const networkError = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: { code } });
const noJitter = () => 0;

function setup(steps: Step[], options: { maxAttempts?: number; timeoutMs?: number } = {}) {
  const clock = new RecordingClock('2026-11-23T12:00:00.000Z');
  const { fetchImpl, calls } = scripted(clock, steps);
  const resilient = createResilientFetch(fetchImpl, {
    clock,
    random: noJitter,
    retry: { maxAttempts: options.maxAttempts ?? 3 },
    timeoutMs: options.timeoutMs ?? 30_000,
  });
  return { clock, calls, resilient };
}

describe('createResilientFetch', () => {
  it('retries a GET on 503 and a network error with exponential backoff, then returns the success', async () => {
    const { clock, calls, resilient } = setup([answer(503), networkError('ECONNRESET'), answer(200)]);
    const response = await drive(clock, resilient(URL_));
    expect(response.status).toBe(200);
    // Jitter pinned to its floor: half of 500 ms, then half of 1000 ms.
    expect(calls.map((c) => c.at)).toEqual([0, 250, 750]);
  });

  it('gives up after maxAttempts and hands back the last response or error', async () => {
    const first = setup([answer(502), answer(502), answer(504)]);
    expect((await drive(first.clock, first.resilient(URL_))).status).toBe(504);
    expect(first.calls).toHaveLength(3);

    const second = setup([networkError('ECONNRESET'), networkError('ECONNRESET')], { maxAttempts: 2 });
    await expect(drive(second.clock, second.resilient(URL_))).rejects.toThrow('fetch failed');
    expect(second.calls).toHaveLength(2);
  });

  it.each([400, 401, 403, 404, 409, 422, 501])('never retries a %i', async (status) => {
    const { clock, calls, resilient } = setup([answer(status)]);
    expect((await drive(clock, resilient(URL_))).status).toBe(status);
    expect(calls).toHaveLength(1);
  });

  it('waits out Retry-After (seconds or HTTP date) instead of its own backoff', async () => {
    const { clock, calls, resilient } = setup([
      answer(429, { 'retry-after': '3' }),
      answer(503, { 'retry-after': 'Mon, 23 Nov 2026 12:00:08 GMT' }),
      answer(200),
    ]);
    expect((await drive(clock, resilient(URL_))).status).toBe(200);
    expect(calls.map((c) => c.at)).toEqual([0, 3_000, 8_000]);
  });

  it('hands back a 429 at once when its Retry-After is longer than maxRetryAfterMs', async () => {
    const { clock, calls, resilient } = setup([answer(429, { 'retry-after': '30' })]);
    const response = await drive(clock, resilient(URL_));
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('30');
    expect(calls).toHaveLength(1);
    expect(clock.sleeps.filter((ms) => ms !== 30_000)).toEqual([]);
  });

  it('a 429 with Retry-After holds back the other calls made through the same fetch', async () => {
    const { clock, calls, resilient } = setup([
      answer(429, { 'retry-after': '5' }),
      answer(200),
      answer(200),
    ]);
    const first = resilient(URL_);
    await new Promise((resolve) => setImmediate(resolve));
    const second = resilient(`${URL_}?other`);
    await drive(clock, Promise.all([first, second]));
    expect(calls.map((c) => c.at)).toEqual([0, 5_000, 5_000]);
  });

  describe('non-idempotent calls (an authorization-code exchange must not run twice)', () => {
    const post = { method: 'POST', body: 'code=abc' };

    it.each([
      ['a 500', answer(500)],
      ['a 502', answer(502)],
      ['a 503', answer(503, { 'retry-after': '1' })],
      ['a reset connection', networkError('ECONNRESET')],
    ])('does not retry a POST after %s: the server may have acted', async (_name, step) => {
      const { clock, calls, resilient } = setup([step, answer(200)]);
      await drive(clock, resilient(URL_, post)).catch((error: unknown) => error);
      expect(calls).toHaveLength(1);
    });

    it('retries a POST after a 429 or a refused connection, with the same body', async () => {
      const { clock, calls, resilient } = setup([
        answer(429, { 'retry-after': '1' }),
        networkError('ECONNREFUSED'),
        answer(200),
      ]);
      expect((await drive(clock, resilient(URL_, post))).status).toBe(200);
      expect(calls.map((c) => [c.method, c.body])).toEqual([
        ['POST', 'code=abc'],
        ['POST', 'code=abc'],
        ['POST', 'code=abc'],
      ]);
    });

    it('replays a Request input with its body on every attempt', async () => {
      const { clock, calls, resilient } = setup([answer(429, { 'retry-after': '1' }), answer(200)]);
      const request = new Request(URL_, { method: 'POST', body: '{"user":"u1"}' });
      expect((await drive(clock, resilient(request))).status).toBe(200);
      expect(calls.map((c) => c.body)).toEqual(['{"user":"u1"}', '{"user":"u1"}']);
    });

    it('never retries a streamed body', async () => {
      const { clock, calls, resilient } = setup([answer(429, { 'retry-after': '1' }), answer(200)]);
      const body = new ReadableStream({
        start(controller) {
          controller.close();
        },
      });
      const response = await drive(
        clock,
        resilient(URL_, { method: 'PUT', body, duplex: 'half' } as RequestInit),
      );
      expect(response.status).toBe(429);
      expect(calls).toHaveLength(1);
    });
  });

  describe('timeouts', () => {
    it('aborts an attempt that outlives timeoutMs (even a fetch that ignores its signal), then retries a GET', async () => {
      const { clock, calls, resilient } = setup(['hang', answer(200)], { timeoutMs: 2_000 });
      const response = await drive(clock, resilient(URL_));
      expect(response.status).toBe(200);
      expect(calls[0]?.signal?.aborted).toBe(true);
      expect(calls[0]?.signal?.reason).toBeInstanceOf(FetchTimeoutError);
      expect(calls[1]?.at).toBeGreaterThanOrEqual(2_000 + 250);
    });

    it('surfaces the timeout of a POST without retrying it', async () => {
      const { clock, calls, resilient } = setup(['hang', answer(200)], { timeoutMs: 2_000 });
      const error = await drive(clock, resilient(URL_, { method: 'POST', body: 'x' })).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(FetchTimeoutError);
      expect((error as Error).name).toBe('TimeoutError');
      expect(calls).toHaveLength(1);
    });

    it("a response in time is not aborted later when the timer's clock time passes", async () => {
      const { clock, calls, resilient } = setup([answer(200)], { timeoutMs: 1_000 });
      const response = await drive(clock, resilient(URL_));
      await clock.advance(5_000);
      expect(calls[0]?.signal?.aborted).toBe(false);
      expect(await response.json()).toEqual({ status: 200 });
    });
  });

  it("the caller's abort ends the call and is never retried", async () => {
    const { clock, calls, resilient } = setup(['hang', answer(200)]);
    const controller = new AbortController();
    const pending = resilient(URL_, { signal: controller.signal });
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('host shut down'));
    await expect(drive(clock, pending)).rejects.toThrow('host shut down');
    expect(calls).toHaveLength(1);
  });

  it("a Request's own signal counts as the caller's", async () => {
    const { clock, calls, resilient } = setup(['hang', answer(200)]);
    const controller = new AbortController();
    const pending = resilient(new Request(URL_, { signal: controller.signal }));
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('request cancelled'));
    await expect(drive(clock, pending)).rejects.toThrow('request cancelled');
    expect(calls).toHaveLength(1);
  });

  it('refuses nonsensical options', () => {
    const clock = new RecordingClock();
    const fetchImpl: HttpFetch = async () => answer(200);
    expect(() => createResilientFetch(fetchImpl, { clock, retry: { maxAttempts: 0 } })).toThrow(
      /maxAttempts/,
    );
    expect(() => createResilientFetch(fetchImpl, { clock, timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});
