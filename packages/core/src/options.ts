import { z } from 'zod';
import { DEFAULT_STATE_TTL_MS } from './state-token.js';

const positiveMs = z.number().int().positive();

const providerNotificationSchema = z
  .object({
    /**
     * Mint a reconnect action (a signed state + the provider's Link/redirect action) for the notification.
     * Off by default: actions carry short-lived tokens, and most hosts link to their own page instead.
     */
    includeAction: z.boolean().default(false),
    /** What stops working for this provider's connections until the user reconnects. */
    impact: z.array(z.string().min(1)).optional(),
  })
  .strict();

/** Service options, registered under `RECONNECT_KIT_CONFIG`. All fields have defaults. */
export const reconnectKitOptionsSchema = z
  .object({
    stateTtlMs: positiveMs.default(DEFAULT_STATE_TTL_MS),
    /**
     * Re-read the status (`checkStatus`) after ingesting a webhook its adapter marks as a hint
     * (`ProviderEvent.confirm`), once per connection per delivery, after the commit.
     */
    confirmWebhooks: z.boolean().default(true),
    /**
     * How often the dispatcher loop (`startDispatcher`) ends expired reconnect attempts for all connections
     * (`expireReconnectAttempts`); reads and steps on one connection end its own at once.
     */
    attemptExpiryIntervalMs: positiveMs.default(60_000),
    /** How often a store conflict (concurrent writer) is retried before the error surfaces. */
    conflictRetries: z.number().int().min(0).max(20).default(5),
    outbox: z
      .object({
        batchSize: z.number().int().min(1).max(500).default(50),
        leaseMs: positiveMs.default(30_000),
        retryBaseMs: positiveMs.default(1_000),
        retryMaxMs: positiveMs.default(3_600_000),
        pollIntervalMs: positiveMs.default(1_000),
      })
      .strict()
      .prefault({}),
    notifications: z
      .object({
        defaultImpact: z
          .array(z.string().min(1))
          .default(['Data from this account stops updating until it is reconnected.']),
        providers: z.record(z.string(), providerNotificationSchema).default({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type ReconnectKitOptionsInput = z.input<typeof reconnectKitOptionsSchema>;
export type ReconnectKitOptions = z.output<typeof reconnectKitOptionsSchema>;
