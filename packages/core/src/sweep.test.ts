import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { isReconnectKitError, ReconnectKitError } from './errors.js';
import type { Logger } from './ports.js';
import { drive } from './resilience/resilience.test-helpers.js';
import type { Connection, ListConnectionsQuery } from './service-api.js';
import { MemoryConnectionStore } from './store/memory.js';
import { runSweep, type SweepProgress, type SweepTarget } from './sweep.js';
import { busiestSecond } from './testing/rate.js';
import type { ConnectionState } from './types.js';

const START = '2026-11-23T12:00:00.000Z';

interface Fixture {
  readonly clock: ManualClock;
  readonly store: MemoryConnectionStore;
  readonly target: SweepTarget;
  /** Connection ids in the order they were checked, with the clock time (ms since START) of each call. */
  readonly calls: { id: string; at: number }[];
  readonly logs: { message: string; fields?: Record<string, unknown> }[];
  maxInFlight: number;
  /** Pages read from the store, and the most connections read but not yet checked at any moment. */
  pagesRead: number;
  maxBacklog: number;
}

/**
 * A store with `count` connections in `state` and a vendor that answers "connected" after `latencyMs` of clock
 * time. `answer` can replace the vendor's answer per call (throw to fail it).
 */
async function fixture(
  count: number,
  options: {
    state?: ConnectionState;
    provider?: (i: number) => string;
    latencyMs?: number;
    answer?: (connection: Connection, call: number) => ConnectionState | Error;
    canPoll?: (provider: string) => boolean;
  } = {},
): Promise<Fixture> {
  const clock = new ManualClock(START);
  const store = new MemoryConnectionStore();
  const start = clock.now().getTime();
  for (let i = 0; i < count; i += 1) {
    const at = new Date(start + i).toISOString();
    await store.insertConnection({
      id: `conn_${String(i).padStart(5, '0')}`,
      provider: options.provider?.(i) ?? 'example',
      hostUserId: `user_${i}`,
      upstreamId: `acc_${i}`,
      metadata: {},
      state: options.state ?? 'degraded',
      createdAt: at,
      updatedAt: at,
      stateChangedAt: at,
      version: 1,
    });
  }
  let inFlight = 0;
  let read = 0;
  const logs: Fixture['logs'] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: (message, fields) => logs.push({ message, ...(fields ? { fields } : {}) }),
    warn: (message, fields) => logs.push({ message, ...(fields ? { fields } : {}) }),
    error: (message, fields) => logs.push({ message, ...(fields ? { fields } : {}) }),
  };
  const f: Fixture = {
    clock,
    store,
    calls: [],
    logs,
    maxInFlight: 0,
    pagesRead: 0,
    maxBacklog: 0,
    target: {
      clock,
      logger,
      canPollStatus: options.canPoll ?? (() => true),
      async listConnections(query: ListConnectionsQuery) {
        const page = await store.listConnections(query);
        f.pagesRead += 1;
        read += page.items.length;
        f.maxBacklog = Math.max(f.maxBacklog, read - f.calls.length);
        return page;
      },
      async checkStatus(connectionId: string, beforeVendorCall: () => Promise<void>) {
        const current = await store.getConnection(connectionId);
        if (!current) throw new ReconnectKitError('connection_not_found');
        await beforeVendorCall();
        f.calls.push({ id: connectionId, at: clock.now().getTime() - start });
        inFlight += 1;
        f.maxInFlight = Math.max(f.maxInFlight, inFlight);
        try {
          if (options.latencyMs) await clock.sleep(options.latencyMs);
          const answer = options.answer?.(current, f.calls.length) ?? 'connected';
          if (answer instanceof Error) throw answer;
          const next = { ...current, state: answer, version: current.version + 1 };
          await store.updateConnection(next, current.version);
          return next;
        } finally {
          inFlight -= 1;
        }
      },
    },
  };
  return f;
}

const ids = (f: Fixture) => f.calls.map((call) => call.id);

describe('runSweep', () => {
  it('streams 1,000 connections page by page and checks every one exactly once', async () => {
    const f = await fixture(1_000);
    const progress: SweepProgress[] = [];
    const result = await drive(
      f.clock,
      runSweep(f.target, {
        pageSize: 7,
        concurrency: 5,
        ratePerSecond: 1_000,
        onProgress: (p) => progress.push(p),
      }),
      1,
    );
    expect(result).toEqual({
      checked: 1_000,
      changed: 1_000,
      failed: 0,
      skipped: 0,
      total: 1_000,
      rateLimitPauses: 0,
      rateLimitedProviders: [],
      aborted: false,
    });
    expect(new Set(ids(f)).size).toBe(1_000);
    expect(ids(f)).toHaveLength(1_000);
    // Checked connections leave the filter as they are checked; keyset paging still skips none.
    expect((await f.store.listConnections({ states: ['degraded'] })).items).toEqual([]);
    expect(f.pagesRead).toBe(Math.ceil(1_000 / 7));
    // Flat memory: never more read ahead than one page plus the calls in flight.
    expect(f.maxBacklog).toBeLessThanOrEqual(7 + 5);
    expect(progress).toHaveLength(1_000);
    expect(progress.at(-1)).toEqual({ checked: 1_000, changed: 1_000, failed: 0, total: 1_000 });
    expect(progress[0]?.total).toBeUndefined();
  });

  it('never has more than `concurrency` checks in flight', async () => {
    const f = await fixture(40, { latencyMs: 300 });
    const result = await drive(f.clock, runSweep(f.target, { concurrency: 3, ratePerSecond: 100 }), 5);
    expect(result.checked).toBe(40);
    expect(f.maxInFlight).toBe(3);
  });

  it.each([1, 4, 10])(
    'never starts more than ratePerSecond = %i calls in any one-second window',
    async (rate) => {
      const f = await fixture(35);
      const result = await drive(f.clock, runSweep(f.target, { concurrency: 8, ratePerSecond: rate }), 5);
      expect(result.checked).toBe(35);
      const times = f.calls.map((call) => call.at);
      expect(busiestSecond(times)).toBe(rate);
      // ... and uses its budget: 35 calls take about 34 intervals.
      expect(Math.max(...times)).toBeLessThanOrEqual((34 / rate) * 1000 + 34 * 5);
    },
  );

  it('only checks the requested states and provider; skips providers that cannot poll', async () => {
    const f = await fixture(6, { provider: (i) => (i % 2 === 0 ? 'argyle' : 'finch') });
    const result = await drive(f.clock, runSweep(f.target, { provider: 'finch', ratePerSecond: 100 }));
    expect(ids(f)).toEqual(['conn_00001', 'conn_00003', 'conn_00005']);
    expect(result).toMatchObject({ checked: 3, total: 3 });

    const none = await fixture(3, { state: 'connected' });
    expect(await drive(none.clock, runSweep(none.target))).toMatchObject({ checked: 0, total: 0 });
    const polling = await drive(
      none.clock,
      runSweep({ ...none.target, canPollStatus: () => false }, { states: ['connected'] }),
    );
    expect(polling).toMatchObject({ checked: 0, skipped: 3, total: 3 });
    expect(none.calls).toEqual([]);
  });

  it('a failing connection is counted and logged without secrets; the sweep goes on', async () => {
    const f = await fixture(5, {
      answer: (connection) =>
        connection.id === 'conn_00002'
          ? Object.assign(new Error('GET /accounts?token=sk_live_do_not_log failed'), { token: 'sk_live' })
          : 'connected',
    });
    const result = await drive(f.clock, runSweep(f.target, { ratePerSecond: 100 }));
    expect(result).toMatchObject({ checked: 4, changed: 4, failed: 1 });
    expect(f.logs).toEqual([
      {
        message: 'sweep: status check failed',
        fields: { connectionId: 'conn_00002', provider: 'example', error: { name: 'Error' } },
      },
    ]);
    expect(JSON.stringify(f.logs)).not.toContain('sk_live');
  });

  it('a 429 with Retry-After pauses the whole sweep, then the connection is tried again', async () => {
    const rateLimited = new ReconnectKitError('upstream_rate_limited', { details: { retryAfterMs: 30_000 } });
    const f = await fixture(8, { answer: (_c, call) => (call === 3 ? rateLimited : 'connected') });
    const result = await drive(f.clock, runSweep(f.target, { concurrency: 4, ratePerSecond: 10 }), 5);
    expect(result).toMatchObject({ checked: 8, changed: 8, failed: 0, rateLimitPauses: 1 });
    const [before, after] = [f.calls.slice(0, 3), f.calls.slice(3)];
    expect(before.map((c) => c.at)).toEqual([0, 100, 200]);
    // Nobody started a call inside the pause (every worker waited, not just the one that hit the 429).
    for (const call of after) expect(call.at).toBeGreaterThanOrEqual(200 + 30_000);
    // The rate-limited connection was checked again.
    expect(ids(f).filter((id) => id === f.calls[2]?.id)).toHaveLength(2);
    expect(f.logs).toContainEqual({
      message: 'sweep paused: provider is rate limiting',
      fields: { provider: 'example', pauseMs: 30_000 },
    });
  });

  it('a 429 storm: keeps pausing while it lasts, then gives up on the provider after maxRateLimitPauses', async () => {
    const rateLimited = new ReconnectKitError('upstream_rate_limited', { details: { retryAfterMs: 2_000 } });
    const f = await fixture(6, {
      provider: (i) => (i < 4 ? 'argyle' : 'finch'),
      answer: (connection) => (connection.provider === 'argyle' ? rateLimited : 'connected'),
    });
    const result = await drive(
      f.clock,
      runSweep(f.target, { concurrency: 1, ratePerSecond: 10, maxRateLimitPauses: 3 }),
      5,
    );
    expect(result).toMatchObject({
      checked: 2,
      rateLimitPauses: 3,
      rateLimitedProviders: ['argyle'],
      skipped: 4,
    });
    // Three pauses of 2 s between four tries of the first connection, then finch goes on without argyle.
    const argyleCalls = f.calls.filter((c) => c.id === 'conn_00000').map((c) => c.at);
    expect(argyleCalls).toHaveLength(4);
    for (let i = 1; i < argyleCalls.length; i += 1) {
      expect((argyleCalls[i] ?? 0) - (argyleCalls[i - 1] ?? 0)).toBeGreaterThanOrEqual(2_000);
    }
    expect(ids(f).filter((id) => id >= 'conn_00004')).toEqual(['conn_00004', 'conn_00005']);
  });

  it('a Retry-After longer than maxPauseMs is not waited for: the provider is skipped at once', async () => {
    const rateLimited = new ReconnectKitError('upstream_rate_limited', {
      details: { retryAfterMs: 3_600_000 },
    });
    const f = await fixture(3, { answer: () => rateLimited });
    const result = await drive(f.clock, runSweep(f.target, { concurrency: 1, maxPauseMs: 60_000 }));
    expect(result).toMatchObject({
      checked: 0,
      rateLimitPauses: 0,
      rateLimitedProviders: ['example'],
      skipped: 3,
    });
    expect(f.calls).toHaveLength(1);
  });

  it('a 429 without Retry-After pauses for a growing backoff', async () => {
    const rateLimited = new ReconnectKitError('upstream_rate_limited');
    const f = await fixture(1, { answer: (_c, call) => (call <= 2 ? rateLimited : 'connected') });
    const result = await drive(f.clock, runSweep(f.target, { concurrency: 1 }), 5);
    expect(result).toMatchObject({ checked: 1, rateLimitPauses: 2 });
    const [first, second, third] = f.calls.map((c) => c.at);
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(500);
    expect((third ?? 0) - (second ?? 0)).toBeGreaterThanOrEqual(1_000);
  });

  it('stops taking connections when its signal aborts; calls in flight finish', async () => {
    const f = await fixture(50, { latencyMs: 100 });
    const controller = new AbortController();
    const result = await drive(
      f.clock,
      runSweep(f.target, {
        concurrency: 2,
        ratePerSecond: 10,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.checked === 5) controller.abort();
        },
      }),
      5,
    );
    expect(result.aborted).toBe(true);
    expect(result.checked).toBeGreaterThanOrEqual(5);
    expect(result.checked).toBeLessThanOrEqual(6);
    expect(f.calls).toHaveLength(result.checked);
  });

  it('refuses bad options, naming the field, before touching anything', async () => {
    const f = await fixture(2);
    for (const [options, field] of [
      [{ concurrency: 0 }, 'concurrency'],
      [{ ratePerSecond: -1 }, 'ratePerSecond'],
      [{ pageSize: 501 }, 'pageSize'],
      [{ states: ['nope'] }, 'states.0'],
      [{ onProgress: 'yes' }, 'onProgress'],
      [{ extra: true }, 'extra'],
    ] as const) {
      const error = await runSweep(f.target, options as never).catch((e: unknown) => e);
      expect(isReconnectKitError(error, 'invalid_input')).toBe(true);
      expect((error as ReconnectKitError).details.field).toBe(field);
    }
    expect(f.calls).toEqual([]);
    expect(f.pagesRead).toBe(0);
  });
});
