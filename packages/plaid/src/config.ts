import { parseConfig } from '@reconnect-kit/core';
import { z } from 'zod';

const secret = z.string().min(1, 'must not be empty');

/** What `registerPlaid` accepts. TODO(plaid): the vendor's real settings (keys, environments, URLs). */
export const plaidConfigSchema = z
  .object({
    /** API key. Never logged, never part of an error message. */
    apiKey: secret,
    /** The webhook signing secret; several while rotating (any one may match). */
    webhookSecret: z.union([secret, z.array(secret).min(1, 'must list at least one secret')]),
    /** API root, e.g. the mock's `http://127.0.0.1:PORT`. */
    baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  })
  .strict();

export type PlaidConfigInput = z.input<typeof plaidConfigSchema>;
export type PlaidConfig = z.output<typeof plaidConfigSchema>;

/** Validates the config; a bad field becomes `config_invalid` naming the field (never echoing its value). */
export function parsePlaidConfig(input: unknown): PlaidConfig {
  return parseConfig(plaidConfigSchema, input, 'plaid');
}
