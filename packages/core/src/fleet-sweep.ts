import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { redact } from './logger.js';
import { TokenBucket } from './resilience/token-bucket.js';
import type { Connection } from './service-api.js';
import type { ConnectionStore } from './store/port.js';
import {
  checkAll,
  DEFAULT_SWEEP_STATES,
  parseSweepOptions,
  type SweepOptions,
  type SweepResult,
  type SweepTarget,
} from './sweep.js';
import { parseInput } from './validation.js';

export interface SweeperOptions extends Omit<SweepOptions, 'signal' | 'pageSize'> {
  /**
   * Each due connection is checked once per interval across every instance running a sweeper on the same store:
   * after a check it is not due again before `intervalMs` has passed.
   */
  readonly intervalMs: number;
  /** Connections claimed per store call (default 50); memory stays flat however many are due. */
  readonly batchSize?: number | undefined;
  /**
   * How long a claimed batch stays with this instance (default 5 min). If the instance dies, its unchecked claims
   * go back to the fleet when the lease passes. Keep `batchSize / ratePerSecond` well below it.
   */
  readonly leaseMs?: number | undefined;
  /** How often an idle sweeper looks for due connections (default: the interval, at most 30 s). */
  readonly pollMs?: number | undefined;
  /** Called after each pass over the due connections (a pass ends when nothing due is left to claim). */
  readonly onPass?: ((result: SweepResult) => void) | undefined;
}

export interface Sweeper {
  /** This sweeper's claim owner id (in the store's lease columns). */
  readonly owner: string;
  /** Stops claiming; checks in flight finish; claims not yet checked go back to the fleet at once. */
  stop(): Promise<void>;
}

const sweeperSchema = z
  .object({
    intervalMs: z.number().int().min(1_000),
    batchSize: z.number().int().min(1).max(500).default(50),
    leaseMs: z.number().int().min(1_000).default(300_000),
    pollMs: z.number().int().min(10).optional(),
    onPass: z.custom<(result: SweepResult) => void>((value) => typeof value === 'function').optional(),
  })
  .loose();

/**
 * Starts a sweeper that every instance may run: it claims due connections from the store in leased batches
 * (`claimSweep`), checks them with the sweep loop of `runSweep` (concurrency, rate limit, Retry-After pauses), and
 * marks each one checked until the next interval (`finishSweep`). Runs until `stop()`.
 */
export function startSweeper(
  target: SweepTarget & {
    readonly store: ConnectionStore;
    /** Runs before every pass (the service expires abandoned reconnect attempts there). */
    readonly beforePass?: (() => Promise<unknown>) | undefined;
  },
  raw: SweeperOptions,
): Sweeper {
  const { intervalMs, batchSize, leaseMs, pollMs, onPass } = parseInput(sweeperSchema, raw);
  const { intervalMs: _i, batchSize: _b, leaseMs: _l, pollMs: _p, onPass: _o, ...sweepOptions } = raw;
  const stopping = new AbortController();
  const options = parseSweepOptions({ ...sweepOptions, signal: stopping.signal });
  const { store, clock, logger } = target;
  const owner = `sweeper_${randomUUID()}`;
  const states = [...(options.states ?? DEFAULT_SWEEP_STATES)];
  const idleMs = pollMs ?? Math.min(intervalMs, 30_000);
  // One bucket for the sweeper's whole life: the rate holds across passes too.
  const bucket = new TokenBucket(clock, options.ratePerSecond);
  const stopped = new Promise<void>((resolve) =>
    stopping.signal.addEventListener('abort', () => resolve(), { once: true }),
  );

  /** One pass: claim, check, mark, until nothing due is left. Returns how many connections it claimed. */
  const pass = async (): Promise<number> => {
    await target.beforePass?.();
    const claimed: Connection[] = [];
    let claimedCount = 0;
    let exhausted = false;
    const finish = (connection: Connection, nextDueAt: Date) =>
      store.finishSweep(connection.id, owner, nextDueAt).then(
        (held) => {
          if (!held)
            logger.warn('sweep claim had passed to another instance', { connectionId: connection.id });
        },
        (error: unknown) =>
          logger.warn('sweep: could not mark a connection checked', { error: redact(error) }),
      );
    const result = await checkAll(
      target,
      options,
      {
        next: async () => {
          if (claimed.length === 0 && !exhausted && !stopping.signal.aborted) {
            const batch = await store.claimSweep({
              now: clock.now(),
              owner,
              limit: batchSize,
              leaseMs,
              states,
              provider: options.provider,
            });
            claimedCount += batch.length;
            if (batch.length === 0) exhausted = true;
            claimed.push(...batch);
          }
          return claimed.shift();
        },
        done: (connection) => finish(connection, new Date(clock.now().getTime() + intervalMs)),
        total: () => (exhausted ? claimedCount : undefined),
      },
      bucket,
    );
    // Claims this instance will not check now (stopped, or waiting on a retry): due again at once elsewhere.
    const now = clock.now();
    await Promise.all([...claimed, ...result.unfinished].map((connection) => finish(connection, now)));
    if (claimedCount > 0) {
      const { unfinished: _, ...summary } = result;
      try {
        onPass?.(summary);
      } catch (error) {
        logger.warn('sweeper pass callback failed', { error: redact(error) });
      }
    }
    return claimedCount;
  };

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      try {
        if ((await pass()) > 0) continue;
      } catch (error) {
        logger.warn('sweeper pass failed', { error: redact(error) });
      }
      await Promise.race([clock.sleep(idleMs), stopped]);
    }
  })();

  return {
    owner,
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
