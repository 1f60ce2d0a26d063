import { z } from 'zod';
import type { Clock } from './clock.js';
import { isReconnectKitError } from './errors.js';
import { redact } from './logger.js';
import type { Logger } from './ports.js';
import { backoffDelay } from './resilience/backoff.js';
import { TokenBucket } from './resilience/token-bucket.js';
import type { Connection, ConnectionPage, ListConnectionsQuery } from './service-api.js';
import { CONNECTION_STATES, type ConnectionState } from './types.js';
import { parseInput } from './validation.js';

/** Where a sweep stands; passed to `onProgress` after every connection. */
export interface SweepProgress {
  /** Connections whose status the vendor reported (and that were applied). */
  readonly checked: number;
  /** Checks that moved the connection to another state. */
  readonly changed: number;
  /** Checks that failed for another reason than rate limiting (logged, then the sweep went on). */
  readonly failed: number;
  /** How many connections matched, known once the last page has been read. */
  readonly total?: number | undefined;
}

export interface SweepOptions {
  readonly provider?: string | undefined;
  /** Default: the connections waiting on something (problem states and `reconnecting`). */
  readonly states?: readonly ConnectionState[] | undefined;
  /** Vendor calls in flight at once (default 4). */
  readonly concurrency?: number | undefined;
  /** Vendor calls started per second, over the whole sweep (default 5). */
  readonly ratePerSecond?: number | undefined;
  /** Connections read from the store per page (default 100); memory stays flat however many there are. */
  readonly pageSize?: number | undefined;
  /**
   * Rate-limit answers in a row from one provider before the sweep stops checking it (default 5). Each one
   * pauses the whole sweep for the vendor's Retry-After (or a backoff when it sends none).
   */
  readonly maxRateLimitPauses?: number | undefined;
  /** A Retry-After longer than this is not waited for: the provider is skipped for this sweep (default 5 min). */
  readonly maxPauseMs?: number | undefined;
  /** Stops taking new connections; calls in flight finish. The result then has `aborted: true`. */
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: SweepProgress) => void) | undefined;
}

export interface SweepResult extends SweepProgress {
  /** Connections not checked: their provider cannot poll status, or was given up on for rate limiting. */
  readonly skipped: number;
  /** Times the whole sweep paused because a vendor said "too many requests". */
  readonly rateLimitPauses: number;
  /** Providers that kept rate limiting (or asked for a longer pause than `maxPauseMs`); their rest was skipped. */
  readonly rateLimitedProviders: readonly string[];
  readonly aborted: boolean;
}

/** What a sweep needs from the service. */
export interface SweepTarget {
  readonly clock: Clock;
  readonly logger: Logger;
  listConnections(query: ListConnectionsQuery): Promise<ConnectionPage>;
  /**
   * Asks the vendor and applies the answer like `checkStatus`, awaiting `beforeVendorCall` right before the
   * vendor call (the sweep's rate limit: the calls, not the checks, are what the vendor counts).
   */
  checkStatus(connectionId: string, beforeVendorCall: () => Promise<void>): Promise<Connection>;
  canPollStatus(providerId: string): boolean;
}

export const DEFAULT_SWEEP_STATES: readonly ConnectionState[] = [
  'needs_reauth',
  'needs_credentials',
  'degraded',
  'reconnecting',
];

const sweepOptionsSchema = z
  .object({
    provider: z.string().trim().min(1).optional(),
    states: z.array(z.enum(CONNECTION_STATES)).min(1).optional(),
    concurrency: z.number().int().min(1).max(100).default(4),
    ratePerSecond: z.number().positive().max(10_000).default(5),
    pageSize: z.number().int().min(1).max(500).default(100),
    maxRateLimitPauses: z.number().int().min(0).max(100).default(5),
    maxPauseMs: z.number().int().positive().default(300_000),
    signal: z.instanceof(AbortSignal).optional(),
    onProgress: z
      .custom<(progress: SweepProgress) => void>((value) => typeof value === 'function')
      .optional(),
  })
  .strict();

/** Backoff for a 429 that names no wait: 1 s, 2 s, 4 s … up to a minute. */
const RATE_LIMIT_BACKOFF = { initialDelayMs: 1_000, maxDelayMs: 60_000 };

/**
 * Re-checks connections with their vendor, reading the store one keyset page at a time (the next page is read
 * only when the previous one is used up), with at most `concurrency` calls in flight and at most
 * `ratePerSecond` started per second. A rate-limit answer pauses every worker until the vendor's Retry-After has
 * passed and the connection is tried again; any other failure is counted and logged, and the sweep goes on.
 */
export async function runSweep(target: SweepTarget, raw: SweepOptions = {}): Promise<SweepResult> {
  const options = parseInput(sweepOptionsSchema, raw);
  let total: number | undefined;
  async function* matching(): AsyncGenerator<Connection> {
    let cursor: string | undefined;
    let listed = 0;
    do {
      const page = await target.listConnections({
        provider: options.provider,
        states: [...(options.states ?? DEFAULT_SWEEP_STATES)],
        limit: options.pageSize,
        cursor,
      });
      listed += page.items.length;
      if (!page.nextCursor) total = listed;
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }
  const source = matching();
  const { unfinished: _, ...result } = await checkAll(target, options, {
    next: async () => (await source.next()).value ?? undefined,
    done: async () => {},
    total: () => total,
  });
  await source.return(undefined);
  return result;
}

export type ParsedSweepOptions = z.output<typeof sweepOptionsSchema>;

/** Parses sweep options (`invalid_input` names the bad field). */
export function parseSweepOptions(raw: SweepOptions): ParsedSweepOptions {
  return parseInput(sweepOptionsSchema, raw);
}

/**
 * Where a sweep's connections come from: `next` hands out the next one (undefined: no more), `done` is told when
 * one is finished with (checked, failed or skipped; a rate-limited one is retried first), `total` is the count
 * once known.
 */
export interface SweepSource {
  next(): Promise<Connection | undefined>;
  done(connection: Connection): Promise<void>;
  total(): number | undefined;
}

/**
 * The sweep loop over any source: at most `concurrency` calls in flight and at most `ratePerSecond` started per
 * second; a rate-limit answer pauses every worker until the vendor's Retry-After has passed and the connection is
 * tried again; any other failure is counted and logged, and the sweep goes on. Connections still waiting for a
 * retry when the sweep is aborted are returned unfinished (the caller's source decides what that means).
 */
export async function checkAll(
  target: SweepTarget,
  options: ParsedSweepOptions,
  source: SweepSource,
  bucket = new TokenBucket(target.clock, options.ratePerSecond),
): Promise<SweepResult & { readonly unfinished: readonly Connection[] }> {
  const { clock, logger } = target;
  const signal = options.signal;
  const tally = { checked: 0, changed: 0, failed: 0, skipped: 0, rateLimitPauses: 0 };
  const givenUp = new Set<string>();
  const rateLimitsInARow = new Map<string, number>();
  const retryQueue: Connection[] = [];

  const report = () => {
    try {
      options.onProgress?.({
        checked: tally.checked,
        changed: tally.changed,
        failed: tally.failed,
        total: source.total(),
      });
    } catch (error) {
      logger.warn('sweep progress callback failed', { error: redact(error) });
    }
  };

  /** A 429: pause everyone, try the connection again later, or give up on its provider. */
  /** Returns whether the connection will be tried again. */
  const onRateLimited = (connection: Connection, retryAfterMs: unknown): boolean => {
    const inARow = (rateLimitsInARow.get(connection.provider) ?? 0) + 1;
    rateLimitsInARow.set(connection.provider, inARow);
    const pauseMs =
      typeof retryAfterMs === 'number' ? retryAfterMs : backoffDelay(inARow, RATE_LIMIT_BACKOFF);
    if (inARow > options.maxRateLimitPauses || pauseMs > options.maxPauseMs) {
      if (!givenUp.has(connection.provider)) {
        givenUp.add(connection.provider);
        logger.warn('sweep stops checking a rate-limiting provider', {
          provider: connection.provider,
          rateLimitsInARow: inARow,
          retryAfterMs: pauseMs,
        });
      }
      tally.skipped += 1;
      return false;
    }
    tally.rateLimitPauses += 1;
    logger.info('sweep paused: provider is rate limiting', { provider: connection.provider, pauseMs });
    bucket.pauseUntil(new Date(clock.now().getTime() + pauseMs));
    retryQueue.push(connection);
    return true;
  };

  const checkOne = async (connection: Connection) => {
    try {
      const after = await target.checkStatus(connection.id, () => bucket.take(signal));
      rateLimitsInARow.set(connection.provider, 0);
      tally.checked += 1;
      if (after.state !== connection.state) tally.changed += 1;
    } catch (error) {
      // Aborted while waiting for a token: unfinished, not failed.
      if (signal?.aborted) {
        retryQueue.push(connection);
        return;
      }
      if (isReconnectKitError(error, 'upstream_rate_limited')) {
        if (!onRateLimited(connection, error.details.retryAfterMs)) await source.done(connection);
        return;
      }
      tally.failed += 1;
      logger.warn('sweep: status check failed', {
        connectionId: connection.id,
        provider: connection.provider,
        error: redact(error),
      });
    }
    await source.done(connection);
    report();
  };

  const worker = async () => {
    while (!signal?.aborted) {
      const next = retryQueue.shift() ?? (await source.next());
      if (!next) return;
      if (givenUp.has(next.provider) || !target.canPollStatus(next.provider)) {
        tally.skipped += 1;
        await source.done(next);
        continue;
      }
      await checkOne(next);
    }
  };

  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return {
    ...tally,
    total: source.total(),
    rateLimitedProviders: [...givenUp],
    aborted: signal?.aborted ?? false,
    unfinished: retryQueue,
  };
}
