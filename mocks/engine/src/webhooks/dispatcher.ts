import type { MockClock } from '../clock.js';
import type { QueuedWebhook, WebhookEnqueueInput, WebhookScheme } from '../types.js';
import {
  DEFAULT_RETRY_POLICY,
  NO_SWITCHES,
  type RetryPolicy,
  rollSwitch,
  type WebhookSettings,
  type WebhookSwitches,
} from './settings.js';
import { wrongSecretLike } from './wrong-secret.js';

const STALE_TIMESTAMP_MS = 10 * 60 * 1000;
const JITTER = 0.2;
const utf8 = new TextDecoder();

export type DeliveryStatus = 'queued' | 'retrying' | 'delivered' | 'failed' | 'no_target';

export interface DeliveryAttempt {
  attempt: number;
  at: string;
  /** The timestamp the signature was made with (mock clock or real time, per scheme; 10 minutes earlier when stale). */
  signed_at: string;
  headers: Record<string, string>;
  status: number | null;
  error: string | null;
  duration_ms: number;
}

export interface DeliveryRecord {
  delivery_id: string;
  event_id: string;
  event_type: string;
  url: string | null;
  status: DeliveryStatus;
  enqueued_at: string;
  /** The exact bytes sent, as UTF-8 text. */
  body: string;
  duplicate_of: string | null;
  reordered: boolean;
  stale_timestamp: boolean;
  bad_signature: boolean;
  attempts: DeliveryAttempt[];
}

interface Delivery {
  record: DeliveryRecord;
  bytes: Uint8Array;
  secret: string;
  reorder: boolean;
  nextAttemptAt: number;
}

export interface WebhookDispatcherOptions {
  scheme: WebhookScheme;
  clock: MockClock;
  newId: (prefix?: string) => string;
  random: () => number;
  fetch: typeof fetch;
  settings: WebhookSettings;
  log: (line: string) => void;
}

/**
 * Delivers queued webhooks one at a time in queue order (so `reorder` is observable), retrying failures with
 * exponential backoff plus jitter. Signs each attempt at send time over the exact queued bytes.
 */
export class WebhookDispatcher {
  readonly #options: WebhookDispatcherOptions;
  #settings: WebhookSettings;
  #log: DeliveryRecord[] = [];
  #pending: Delivery[] = [];
  #running = false;
  #generation = 0;
  #abort = new AbortController();
  #wake: (() => void) | undefined;
  #idleWaiters: (() => void)[] = [];

  constructor(options: WebhookDispatcherOptions) {
    this.#options = options;
    this.#settings = cloneSettings(options.settings);
  }

  get settings(): WebhookSettings {
    return cloneSettings(this.#settings);
  }

  updateSettings(
    patch: Partial<Omit<WebhookSettings, 'retry_policy'>> & { retry_policy?: Partial<RetryPolicy> },
  ) {
    const { retry_policy, ...rest } = patch;
    this.#settings = {
      ...this.#settings,
      ...rest,
      retry_policy: { ...this.#settings.retry_policy, ...retry_policy },
    };
  }

  enqueue(input: WebhookEnqueueInput): QueuedWebhook {
    const { random, scheme, clock, newId } = this.#options;
    const eventId = input.eventId ?? newId();
    const url = input.target?.url ?? this.#settings.url;
    const secret = input.target?.secret ?? this.#settings.secret ?? '';
    const bytes = scheme.serialize(input.body);
    const switches: WebhookSwitches = this.#settings;
    const base: Omit<DeliveryRecord, 'delivery_id' | 'duplicate_of'> = {
      event_id: eventId,
      event_type: input.eventType,
      url: url ?? null,
      status: url === undefined ? 'no_target' : 'queued',
      enqueued_at: clock.now().toISOString(),
      body: utf8.decode(bytes),
      reordered: false,
      stale_timestamp: url !== undefined && rollSwitch(switches.stale_timestamp, random),
      bad_signature: url !== undefined && rollSwitch(switches.bad_signature, random),
      attempts: [],
    };
    const first: DeliveryRecord = { delivery_id: newId('dlv'), ...base, duplicate_of: null };
    this.#log.push(first);
    if (url === undefined) {
      this.#options.log(`webhook ${input.eventType} ${eventId}: no target configured, logged as no_target`);
      return { id: eventId, eventType: input.eventType };
    }
    const signingSecret = (record: DeliveryRecord) =>
      record.bad_signature ? wrongSecretLike(secret) : secret;
    this.#pending.push({
      record: first,
      bytes,
      secret: signingSecret(first),
      reorder: rollSwitch(switches.reorder, random),
      nextAttemptAt: 0,
    });
    if (rollSwitch(switches.duplicate, random)) {
      const copy: DeliveryRecord = {
        delivery_id: newId('dlv'),
        ...base,
        attempts: [],
        duplicate_of: first.delivery_id,
      };
      this.#log.push(copy);
      this.#pending.push({
        record: copy,
        bytes,
        secret: signingSecret(copy),
        reorder: false,
        nextAttemptAt: 0,
      });
    }
    this.#kick();
    return { id: eventId, eventType: input.eventType, url };
  }

  /** Copies of the delivery log, oldest first; `limit`: only that many of the most recent. */
  deliveries(limit?: number): DeliveryRecord[] {
    const records = limit === undefined ? this.#log : this.#log.slice(Math.max(0, this.#log.length - limit));
    return records.map((record) => ({
      ...record,
      attempts: record.attempts.map((attempt) => ({ ...attempt })),
    }));
  }

  /** Resolves once the queue is empty and nothing is in flight, or after `timeoutMs` (then `drained: false`). */
  async flush(timeoutMs: number): Promise<{ drained: boolean }> {
    if (!this.#running && this.#pending.length === 0) return { drained: true };
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      new Promise<boolean>((resolve) => this.#idleWaiters.push(() => resolve(true))),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return { drained };
  }

  /** Drops the queue and the log (in-flight attempts are abandoned) and restores the given settings. */
  reset(settings: WebhookSettings): void {
    this.#stopWork();
    this.#log = [];
    this.#settings = cloneSettings(settings);
  }

  close(): void {
    this.#stopWork();
  }

  #stopWork(): void {
    // The running drain loop notices the new generation and exits without touching the queue again.
    this.#generation += 1;
    this.#running = false;
    this.#abort.abort();
    this.#abort = new AbortController();
    this.#pending = [];
    this.#wake?.();
    this.#notifyIdle();
  }

  #kick(): void {
    this.#wake?.();
    if (this.#running) return;
    this.#running = true;
    // Start on the next turn so deliveries queued by the same request/scenario are all pending (reorder needs it).
    const generation = this.#generation;
    setImmediate(() =>
      this.#drain(generation).catch((error: unknown) => {
        this.#options.log(`webhook dispatcher stopped on an unexpected error: ${describeError(error)}`);
      }),
    );
  }

  async #drain(generation: number): Promise<void> {
    try {
      while (generation === this.#generation && this.#pending.length > 0) {
        const now = Date.now();
        const index = this.#pending.findIndex((delivery) => delivery.nextAttemptAt <= now);
        if (index < 0) {
          await this.#sleepUntil(Math.min(...this.#pending.map((delivery) => delivery.nextAttemptAt)));
          continue;
        }
        const delivery = this.#takeAt(index);
        const done = await this.#attempt(delivery);
        if (generation !== this.#generation) return;
        if (!done) {
          delivery.nextAttemptAt = Date.now() + this.#backoffMs(delivery.record.attempts.length);
          delivery.record.status = 'retrying';
          this.#pending.splice(index, 0, delivery);
        }
      }
    } finally {
      if (generation === this.#generation) {
        this.#running = false;
        this.#notifyIdle();
      }
    }
  }

  /** Removes the delivery at `index`; a first attempt marked `reorder` lets the next fresh delivery go first. */
  #takeAt(index: number): Delivery {
    const delivery = this.#pending[index]!;
    if (delivery.reorder && delivery.record.attempts.length === 0) {
      delivery.reorder = false;
      const nextIndex = this.#pending.findIndex(
        (other, otherIndex) => otherIndex > index && other.record.attempts.length === 0,
      );
      if (nextIndex > 0) {
        const next = this.#pending[nextIndex]!;
        // The next delivery overtakes this one; it does not swap back even if it was marked too.
        next.reorder = false;
        this.#pending[nextIndex] = delivery;
        this.#pending.splice(index, 1);
        delivery.record.reordered = true;
        return next;
      }
    }
    this.#pending.splice(index, 1);
    return delivery;
  }

  async #attempt(delivery: Delivery): Promise<boolean> {
    const { clock, scheme } = this.#options;
    const policy = this.#settings.retry_policy;
    const record = delivery.record;
    // Receivers that check the timestamp against the machine's clock (vendor SDKs) need real time; tests that run
    // the receiver on the mock clock need the mock clock. The admin setting wins over the provider's default.
    const timestamps = this.#settings.timestamps ?? scheme.timestamps ?? 'mock_clock';
    const now = timestamps === 'real_time' ? new Date() : clock.now();
    const signedAt = record.stale_timestamp ? new Date(now.getTime() - STALE_TIMESTAMP_MS) : now;
    const started = performance.now();
    let headers: Record<string, string> = {};
    let status: number | null = null;
    let error: string | null = null;
    try {
      headers = {
        'content-type': 'application/json',
        ...scheme.sign({
          body: delivery.bytes,
          eventId: record.event_id,
          timestamp: signedAt,
          secret: delivery.secret,
          forged: record.bad_signature,
        }),
      };
      const response = await this.#options.fetch(record.url!, {
        method: 'POST',
        headers,
        body: delivery.bytes as Uint8Array<ArrayBuffer>,
        signal: AbortSignal.any([AbortSignal.timeout(policy.timeout_ms), this.#abort.signal]),
      });
      await response.arrayBuffer();
      status = response.status;
      if (status < 200 || status > 299) error = `receiver answered ${status}`;
    } catch (caught) {
      error = describeFetchError(caught, policy.timeout_ms);
    }
    record.attempts.push({
      attempt: record.attempts.length + 1,
      at: now.toISOString(),
      signed_at: signedAt.toISOString(),
      headers,
      status,
      error,
      duration_ms: Math.round(performance.now() - started),
    });
    if (error === null) {
      record.status = 'delivered';
      return true;
    }
    const exhausted = record.attempts.length >= policy.max_attempts;
    this.#options.log(
      `webhook ${record.event_type} ${record.event_id} attempt ${record.attempts.length} failed: ${error}` +
        (exhausted ? ' (giving up)' : ''),
    );
    if (exhausted) record.status = 'failed';
    return exhausted;
  }

  #backoffMs(attemptsMade: number): number {
    const base = this.#settings.retry_policy.backoff_ms * 2 ** (attemptsMade - 1);
    return Math.round(base * (1 + JITTER * this.#options.random()));
  }

  #sleepUntil(whenMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#wake?.(), Math.max(0, whenMs - Date.now()));
      this.#wake = () => {
        this.#wake = undefined;
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #notifyIdle(): void {
    if (this.#running || this.#pending.length > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError')
    return `timed out after ${timeoutMs} ms`;
  return describeError(error);
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

function cloneSettings(settings: WebhookSettings): WebhookSettings {
  return { ...settings, retry_policy: { ...settings.retry_policy } };
}

export function defaultWebhookSettings(url: string | undefined, secret: string | undefined): WebhookSettings {
  return { url, secret, retry_policy: { ...DEFAULT_RETRY_POLICY }, ...NO_SWITCHES };
}
