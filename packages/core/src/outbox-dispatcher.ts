import { randomUUID } from 'node:crypto';
import type { Clock } from './clock.js';
import { ClockLoop } from './clock-loop.js';
import { isReconnectKitError } from './errors.js';
import { redact } from './logger.js';
import type { ReconnectKitOptions } from './options.js';
import type { Logger } from './ports.js';
import type { ConnectionEventHandler } from './service-api.js';
import type { ConnectionStore } from './store/port.js';

/**
 * Delivers outbox entries to the host's handlers: at-least-once, in append order per claim, with exponential
 * backoff on the injected clock after a failing handler. Optionally runs as a background loop.
 */
export class OutboxDispatcher {
  readonly #handlers = new Set<ConnectionEventHandler>();
  readonly #instanceId = `dispatcher_${randomUUID()}`;
  #claims = 0;
  readonly #loop: ClockLoop;

  constructor(
    private readonly store: ConnectionStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: ReconnectKitOptions['outbox'],
  ) {
    this.#loop = new ClockLoop(clock, options.pollIntervalMs, (signal) => this.#drain(signal));
  }

  subscribe(handler: ConnectionEventHandler): () => void {
    this.#handlers.add(handler);
    return () => {
      this.#handlers.delete(handler);
    };
  }

  /**
   * Claims due entries and hands each to every subscriber. An entry is marked delivered only when every
   * handler resolved; otherwise it is released with backoff (`retryBaseMs · 2^attempts`, capped) and
   * delivered again later. Without subscribers nothing is claimed, so events wait for the first one.
   */
  async deliver(): Promise<number> {
    if (this.#handlers.size === 0) return 0;
    const { batchSize, leaseMs, retryBaseMs, retryMaxMs } = this.options;
    // One owner id per claim: if a lease runs out mid-delivery and another claim takes the entry over, this
    // claim can no longer mark it (even from the same instance).
    this.#claims += 1;
    const owner = `${this.#instanceId}:${this.#claims}`;
    const claimed = await this.store.claimOutbox({ now: this.clock.now(), limit: batchSize, leaseMs, owner });
    let delivered = 0;
    for (const entry of claimed) {
      try {
        for (const handler of [...this.#handlers]) await handler(entry.event);
        if (await this.store.markOutboxDelivered(entry.event.id, owner, this.clock.now())) delivered += 1;
      } catch (error) {
        const delay = Math.min(retryMaxMs, retryBaseMs * 2 ** entry.attempts);
        await this.store.markOutboxFailed(entry.event.id, owner, {
          nextAttemptAt: new Date(this.clock.now().getTime() + delay),
          error: errorLabel(error),
        });
        this.logger.warn('event handler failed; will redeliver', {
          eventId: entry.event.id,
          type: entry.event.type,
          attempts: entry.attempts + 1,
          retryInMs: delay,
          error: redact(error),
        });
      }
    }
    return delivered;
  }

  /** Starts the background loop: drain, then sleep `pollIntervalMs` of clock time or until woken. */
  start(): void {
    this.#loop.start();
  }

  /** Stops the loop and waits for the delivery in progress to finish. */
  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /** New entries were committed: deliver without waiting for the poll interval. */
  wake(): void {
    this.#loop.wake();
  }

  async #drain(signal: AbortSignal): Promise<void> {
    try {
      while ((await this.deliver()) > 0 && !signal.aborted) {
        // keep draining while there is work
      }
    } catch (error) {
      this.logger.error('outbox delivery failed', { error: redact(error) });
    }
  }
}

/** What is recorded about a failed delivery: an error code or class name, never a message. */
function errorLabel(error: unknown): string {
  if (isReconnectKitError(error)) return error.code;
  return error instanceof Error ? error.name : 'Error';
}
