import type { z } from 'zod';
import { ReconnectKitError, type ReconnectKitErrorCode } from './errors.js';

/**
 * Parses with zod; the first issue becomes a ReconnectKitError whose message and `details.field` name the bad
 * field (zod's messages name expected types, never the rejected value).
 */
function parseOrThrow<T extends z.ZodType>(
  schema: T,
  input: unknown,
  code: ReconnectKitErrorCode,
  what: string,
  prefix: string,
): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  // An unknown key is reported on its parent; name the key itself.
  const unknownKey = issue?.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : [];
  const field = [prefix, ...(issue?.path ?? []).map(String), ...unknownKey].filter(Boolean).join('.');
  throw new ReconnectKitError(code, {
    message: `Invalid ${what} at "${field}": ${issue?.message ?? 'invalid value'}.`,
    details: { field },
  });
}

/** Validates configuration; throws `config_invalid` naming the field (prefixed with `prefix`). */
export function parseConfig<T extends z.ZodType>(schema: T, input: unknown, prefix: string): z.output<T> {
  return parseOrThrow(schema, input, 'config_invalid', 'configuration', prefix);
}

/** Validates caller input; throws `invalid_input` naming the field. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  return parseOrThrow(schema, input, 'invalid_input', 'input', '');
}
