import { parseConfig } from '@reconnect-kit/core';
import { z } from 'zod';
import { type ConnectProduct, connectProductsSchema } from './generated/connect-products.js';

/** A Finch Connect product scope (`ConnectProducts` in Finch's API), validated by the fixture schema. */
export type FinchProduct = ConnectProduct;
const finchProduct = z.fromJSONSchema(connectProductsSchema) as z.ZodType<FinchProduct>;

/** Finch shows webhook secrets as plain base64 (no `whsec_` prefix); the SDK rejects any other form, and so do we. */
const webhookSecret = z
  .string()
  .min(1)
  .refine((value) => Buffer.from(value, 'base64').toString('base64') === value, {
    message: 'must be the base64 webhook secret shown in the Finch dashboard',
  });

/** Finch's default (and our ceiling) for a reauthentication session's lifetime: 30 days. */
export const MAX_SESSION_MINUTES = 43_200;

/** An option that no longer exists: any value fails with a message that says why and what to do. */
const retired = (message: string) => z.never({ error: message }).optional();

export const finchConfigSchema = z
  .object({
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    /** Where Finch Connect sends the employer back (`?code=…&state=…`); must be allow-listed in the Finch dashboard. */
    redirectUri: z.url(),
    /** One secret, or several while rotating (Finch keeps the old one valid for about a day). */
    webhookSecret: z.union([webhookSecret, z.array(webhookSecret).min(1)]),
    baseUrl: z.url().default('https://api.tryfinch.com'),
    /** Removed: Finch retired static Connect URLs in August 2025; reconnects always open a Connect session. */
    reconnectMode: retired(
      'was removed: Finch retired static Connect URLs (authorize_url) in August 2025, so reconnects always open a reauthentication session; delete this option',
    ),
    /** Removed with `reconnectMode` (it was the static Connect URL's origin). */
    connectUrl: retired(
      'was removed: Connect URLs now come from Finch’s session answer (connect_url); delete this option',
    ),
    /** Products to request on reconnect; omitted = keep the connection's current products. */
    products: z.array(finchProduct).min(1).optional(),
    /** Reauth session lifetime; default: as long as the reconnect state lives. */
    minutesToExpire: z.number().int().min(1).max(MAX_SESSION_MINUTES).optional(),
    /** Retries of a failed Finch call: 429, 5xx, network; POSTs only when Finch cannot have acted (default 2). */
    maxRetries: z.number().int().min(0).max(10).default(2),
    /** What stops working in the host app until the employer reconnects (shown in notifications). */
    impact: z.array(z.string().min(1)).optional(),
  })
  .strict();

export type FinchConfigInput = z.input<typeof finchConfigSchema>;
export type FinchConfig = z.output<typeof finchConfigSchema>;

/** Validates the config; a bad field becomes `config_invalid` naming the field (never echoing its value). */
export function parseFinchConfig(input: unknown): FinchConfig {
  return parseConfig(finchConfigSchema, input, 'finch');
}
