import type { z } from 'zod';
import { ReconnectKitError } from './errors.js';

/** Parses with zod and turns the first issue into a `config_invalid` error naming the bad field. */
export function parseConfig<T extends z.ZodType>(schema: T, input: unknown, prefix: string): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  // An unknown key is reported on its parent; name the key itself.
  const unknownKey = issue?.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : [];
  const field = [prefix, ...(issue?.path ?? []).map(String), ...unknownKey].filter(Boolean).join('.');
  throw new ReconnectKitError('config_invalid', {
    message: `Invalid configuration at "${field}": ${issue?.message ?? 'invalid value'}.`,
    details: { field },
  });
}
