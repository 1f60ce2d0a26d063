/** A switch is a probability 0..1, or a boolean (true = always, false = never). */
export type WebhookSwitch = number | boolean;

export interface RetryPolicy {
  max_attempts: number;
  backoff_ms: number;
  timeout_ms: number;
}

export interface WebhookSwitches {
  /** Send the same delivery (same event id, same bytes) twice. */
  duplicate: WebhookSwitch;
  /** Swap the delivery with the next queued one. */
  reorder: WebhookSwitch;
  /** Sign with a timestamp 10 minutes before the mock clock's now. */
  stale_timestamp: WebhookSwitch;
  /** Sign with a wrong secret. */
  bad_signature: WebhookSwitch;
}

/** Which clock signature timestamps follow (see `WebhookScheme.timestamps`). */
export const SIGNATURE_CLOCKS = ['mock_clock', 'real_time'] as const;
export type SignatureClock = (typeof SIGNATURE_CLOCKS)[number];

export interface WebhookSettings extends WebhookSwitches {
  url: string | undefined;
  secret: string | undefined;
  /** Overrides the provider's default (`WebhookScheme.timestamps`, else `mock_clock`) when set. */
  timestamps?: SignatureClock;
  retry_policy: RetryPolicy;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { max_attempts: 5, backoff_ms: 500, timeout_ms: 5_000 };

export const NO_SWITCHES: WebhookSwitches = {
  duplicate: false,
  reorder: false,
  stale_timestamp: false,
  bad_signature: false,
};

export function rollSwitch(value: WebhookSwitch, random: () => number): boolean {
  if (typeof value === 'boolean') return value;
  return random() < value;
}
