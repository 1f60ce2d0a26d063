import { z } from 'zod';
import { SIGNATURE_CLOCKS } from '../webhooks/settings.js';

const httpMethod = z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', '*']);
const pathPattern = z
  .string()
  .refine((path) => path === '*' || path.startsWith('/'), 'must be "*" or start with "/"');

export const emptyBodySchema = z.object({}).strict();

export const clockUpdateSchema = z
  .object({
    advance_ms: z.number().int().optional(),
    set: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .refine((body) => (body.advance_ms === undefined) !== (body.set === undefined), {
    message: 'give exactly one of "advance_ms" or "set"',
  });

export const faultSchema = z
  .object({
    method: z
      .string()
      .transform((method) => method.toUpperCase())
      .pipe(httpMethod)
      .optional(),
    path: pathPattern.optional(),
    status: z.number().int().min(100).max(599).optional(),
    retry_after: z.number().int().min(0).optional(),
    delay_ms: z.number().int().min(0).max(120_000).optional(),
    reset_connection: z.boolean().optional(),
    malformed_body: z.boolean().optional(),
    times: z.number().int().min(1).optional(),
  })
  .strict()
  .refine(
    (fault) =>
      fault.status !== undefined ||
      fault.delay_ms !== undefined ||
      fault.reset_connection === true ||
      fault.malformed_body === true,
    { message: 'a fault needs at least one of "status", "delay_ms", "reset_connection" or "malformed_body"' },
  );

export const requestsQuerySchema = z
  .object({
    path: pathPattern.optional(),
    method: z.string().min(1).optional(),
  })
  .strict();

/** `?limit=N`: only the N most recent entries of the delivery log (`0`: none); without it, the whole log. */
const deliveryLimit = { limit: z.coerce.number().int().min(0).optional() };

export const deliveryLogQuerySchema = z.object(deliveryLimit).strict();

export const flushQuerySchema = z
  .object({ timeout_ms: z.coerce.number().int().min(0).max(600_000).optional(), ...deliveryLimit })
  .strict();

const webhookSwitch = z.union([z.boolean(), z.number().min(0).max(1)]);

export const webhookSettingsSchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .nullable()
      .optional(),
    secret: z.string().nullable().optional(),
    retry_policy: z
      .object({
        max_attempts: z.number().int().min(1).max(50).optional(),
        backoff_ms: z.number().int().min(0).max(3_600_000).optional(),
        timeout_ms: z.number().int().min(1).max(600_000).optional(),
      })
      .strict()
      .optional(),
    duplicate: webhookSwitch.optional(),
    reorder: webhookSwitch.optional(),
    stale_timestamp: webhookSwitch.optional(),
    bad_signature: webhookSwitch.optional(),
    timestamps: z.enum(SIGNATURE_CLOCKS).optional(),
  })
  .strict();

/** The default `POST /__admin/scenarios/{id}` body: `target` plus the keys the catalogue's input example uses. */
export function scenarioInputSchema(inputKeys: readonly string[]) {
  const shape: Record<string, z.ZodType> = { target: z.string().min(1).optional() };
  for (const key of inputKeys) if (key !== 'target') shape[key] = z.unknown().optional();
  return z.object(shape).strict();
}

/** `unknown field "x"` style messages naming the offending path. */
export function describeIssues(error: z.ZodError): {
  message: string;
  issues: { path: string; message: string }[];
} {
  const issues = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const message = issues
    .map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message))
    .join('; ');
  return { message, issues };
}
