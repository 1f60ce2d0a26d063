import { parseConfig } from '@reconnect-kit/core';
import { z } from 'zod';

const secret = z.string().min(1, 'must not be empty');

/** Plaid's API hosts; a mock's URL works as well. */
export const PLAID_BASE_URLS = {
  sandbox: 'https://sandbox.plaid.com',
  production: 'https://production.plaid.com',
} as const;

/** What `registerPlaid` accepts. */
export const plaidConfigSchema = z
  .object({
    /** The Dashboard's `client_id`. */
    clientId: secret,
    /** The Sandbox or Production `secret`. Never logged, never part of an error message. */
    secret,
    /** API root: `https://sandbox.plaid.com`, `https://production.plaid.com`, or a mock's `http://127.0.0.1:PORT`. */
    baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
    /** Where hosted Link sends the user after update mode (`?state=…` is added); the host's callback route. */
    redirectUri: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
    /** The app name Link shows (Plaid: at most 30 characters). */
    clientName: z.string().min(1).max(30),
    countryCodes: z.array(z.string().length(2)).min(1).default(['US']),
    language: z.string().min(2).default('en'),
    /**
     * `redirect` (default): send the user to hosted Link's `hosted_link_url`. `widget`: open Plaid Link in the host's
     * own page with the link token (`config.linkToken`; `url` is the hosted page as a fallback); the page calls
     * `completeReconnection({ state })` from Link's `onSuccess` and `abandonReconnection(state)` from `onExit`.
     */
    reconnectAction: z.enum(['redirect', 'widget']).default('redirect'),
    /** The Item webhook URL to (re)set in update mode; omitted = keep the Item's own. */
    webhookUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    /** How long a fetched webhook verification key is trusted before it is read again (Plaid rotates keys). */
    webhookKeyCacheMs: z
      .number()
      .int()
      .min(0)
      .max(24 * 60 * 60_000)
      .default(15 * 60_000),
    /** Retries of a failed Plaid call: 429, 5xx, network; POSTs only when Plaid cannot have acted (default 2). */
    maxRetries: z.number().int().min(0).max(10).default(2),
    /** What stops working in the host app until the user reconnects (shown in notifications). */
    impact: z.array(z.string().min(1)).optional(),
  })
  .strict();

export type PlaidConfigInput = z.input<typeof plaidConfigSchema>;
export type PlaidConfig = z.output<typeof plaidConfigSchema>;

/** Validates the config; a bad field becomes `config_invalid` naming the field (never echoing its value). */
export function parsePlaidConfig(input: unknown): PlaidConfig {
  return parseConfig(plaidConfigSchema, input, 'plaid');
}
