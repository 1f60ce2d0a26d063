import {
  type CallPriority,
  type Clock,
  parseConfig,
  SystemClock,
  type VendorBudget,
} from '@reconnect-kit/core';
import { Pool } from 'pg';
import { z } from 'zod';
import { DEFAULT_SCHEMA, SCHEMA_NAME_PATTERN, type Tables, tablesIn } from './tables.js';

const optionsSchema = z
  .object({
    pool: z.custom<Pool>(
      (value) => value instanceof Pool || (typeof value === 'object' && value !== null && 'query' in value),
      'must be a pg Pool',
    ),
    schema: z.string().regex(SCHEMA_NAME_PATTERN).default(DEFAULT_SCHEMA),
    /** Vendor calls started per second, per provider id, across every instance; unnamed providers are free. */
    ratesPerSecond: z.record(z.string().min(1), z.number().positive().max(100_000)),
    /**
     * How far ahead of now background calls (sweeps, webhook confirmations) may book slots; interactive calls
     * book without limit, so they never queue behind more than this much background work. Default 100 ms.
     */
    backgroundHorizonMs: z.number().int().min(0).max(60_000).default(100),
    /**
     * Slots are `(1000 + jitterMs) / rate` apart, and a call starts at most `jitterMs` after its slot: a booking
     * whose answer took longer to come back, or whose timer woke later, is dropped and another one booked. So calls
     * that are late by different amounts still never put `rate + 1` starts in one second. The same slack absorbs
     * differences in how long calls take to reach the vendor (an event loop busy for a moment), which is where the
     * vendor counts. Default 50 (5 % of the rate).
     */
    jitterMs: z.number().int().min(1).max(500).default(50),
    /** Waits for booked slots on this clock (the slots themselves are on the database's clock). */
    clock: z
      .custom<Clock>((value) => typeof value === 'object' && value !== null && 'sleep' in value)
      .optional(),
  })
  .strict();

export type PostgresVendorBudgetOptions = z.input<typeof optionsSchema>;

/**
 * The fleet's vendor call budget on PostgreSQL (`VendorBudget`, pass it to `registerReconnectKit` as
 * `vendorBudget`). Per provider one row holds the next free call slot; taking a slot is one atomic statement that
 * books `max(next slot, now, pause end)` and moves the next slot on by `(1 s + jitterMs) / rate`, so the calls
 * the fleet starts are spaced out and no second ever sees more than `rate` of them. Every time is the database's
 * (`clock_timestamp()`): an instance only learns how long to wait, so clock skew between instances plays no
 * part. A Retry-After seen anywhere moves the provider's pause end for all. Interactive calls book without limit;
 * background ones only within `backgroundHorizonMs` of now, and otherwise wait and try again, so interactive
 * calls go ahead. The table is created by the store's migrations (`vendor_budget`).
 */
export class PostgresVendorBudget implements VendorBudget {
  readonly #pool: Pool;
  readonly #t: Tables;
  readonly #spacingMs: ReadonlyMap<string, number>;
  readonly #horizonMs: number;
  readonly #jitterMs: number;
  readonly #clock: Clock;

  constructor(options: PostgresVendorBudgetOptions) {
    const parsed = parseConfig(optionsSchema, options, '');
    this.#pool = parsed.pool;
    this.#t = tablesIn(parsed.schema);
    this.#spacingMs = new Map(
      Object.entries(parsed.ratesPerSecond).map(([provider, rate]) => [
        provider,
        (1000 + parsed.jitterMs) / rate,
      ]),
    );
    this.#horizonMs = parsed.backgroundHorizonMs;
    this.#jitterMs = parsed.jitterMs;
    this.#clock = parsed.clock ?? new SystemClock();
  }

  async take(provider: string, priority: CallPriority, signal?: AbortSignal): Promise<void> {
    const spacing = this.#spacingMs.get(provider);
    if (spacing === undefined) return;
    for (;;) {
      signal?.throwIfAborted();
      const sentAt = this.#clock.now().getTime();
      const { rows } = await this.#pool.query<{ wait_ms: number }>(
        `INSERT INTO ${this.#t.vendorBudget} AS b (provider, next_at)
         VALUES ($1, clock_timestamp() + $2 * interval '1 millisecond')
         ON CONFLICT (provider) DO UPDATE
           SET next_at = GREATEST(b.next_at, clock_timestamp(), b.paused_until) + $2 * interval '1 millisecond'
           WHERE $3::boolean
              OR GREATEST(b.next_at, b.paused_until) <= clock_timestamp() + $4 * interval '1 millisecond'
         RETURNING (EXTRACT(EPOCH FROM b.next_at - clock_timestamp()) * 1000 - $2)::float8 AS wait_ms`,
        [provider, spacing, priority === 'interactive', this.#horizonMs],
      );
      const booked = rows[0];
      if (booked) {
        // The statement ran somewhere between sending and the answer: starting `wait_ms` after the answer is
        // at most that round trip after the slot, plus however late the timer wakes.
        const answeredAt = this.#clock.now().getTime();
        const startAt = answeredAt + Math.max(0, booked.wait_ms);
        if (booked.wait_ms > 0) await this.#clock.sleep(booked.wait_ms, signal);
        const late = answeredAt - sentAt + (this.#clock.now().getTime() - startAt);
        if (late <= this.#jitterMs) return;
        continue; // too late for this slot: it stays unused (which only lowers the rate); book another
      }
      // Background, and the next free slot is further ahead than the horizon: look again when it comes close.
      const { rows: ahead } = await this.#pool.query<{ ahead_ms: number | null }>(
        `SELECT (EXTRACT(EPOCH FROM GREATEST(next_at, paused_until) - clock_timestamp()) * 1000)::float8 AS ahead_ms
         FROM ${this.#t.vendorBudget} WHERE provider = $1`,
        [provider],
      );
      const aheadMs = ahead[0]?.ahead_ms ?? 0;
      await this.#clock.sleep(Math.min(1_000, Math.max(spacing, aheadMs - this.#horizonMs)), signal);
    }
  }

  async pause(provider: string, ms: number): Promise<void> {
    await this.#pool.query(
      `INSERT INTO ${this.#t.vendorBudget} AS b (provider, next_at, paused_until)
       VALUES ($1, clock_timestamp(), clock_timestamp() + $2 * interval '1 millisecond')
       ON CONFLICT (provider) DO UPDATE SET paused_until = GREATEST(b.paused_until, excluded.paused_until)`,
      [provider, ms],
    );
  }
}
