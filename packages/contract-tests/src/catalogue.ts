/**
 * The scenario catalogue format (`fixtures/scenarios/<provider>.json`): the one documented list of what can go wrong
 * with a provider's connections, shared by its mock (which implements every scenario), the conformance suite (which
 * checks the adapter detects each one) and `docs/scenarios.md` (generated from it). How each scenario must be
 * detected sits in a `detection` map beside the entries, keyed by scenario id, so the entries keep exactly the fields
 * the mocks' own catalogue checks expect. Self-contained on purpose: the docs generator imports this file directly
 * with Node's type stripping.
 */
import { z } from 'zod';

/** How a scenario becomes visible to the host, and the provider capability each way needs. */
export const DETECTION_CAPABILITY = {
  /** The mock's signed webhook, ingested through `ReconnectionService.ingestWebhook`. */
  webhook: 'webhooks',
  /** `ReconnectionService.checkStatus` (the provider's `fetchStatus`). */
  status_check: 'statusPolling',
  /** A vendor data call fails; the error goes through `ReconnectionService.reportError` (`classifyError`). */
  api_error: 'errorClassification',
  /** Only a reconnect attempt through the vendor's page shows it (Link / Connect). */
  reconnect_attempt: 'reconnect',
} as const;
export type Detection = keyof typeof DETECTION_CAPABILITY;

const STATES = [
  'pending',
  'connected',
  'needs_reauth',
  'needs_credentials',
  'reconnecting',
  'degraded',
  'revoked',
  'disconnected',
] as const;

export const scenarioEntrySchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z][a-z0-9-]*\.[a-z][a-z0-9_]*$/)
      .describe('"<provider>.<snake_case_name>"; the mock implements a scenario with exactly this id.'),
    description: z.string().min(1).describe('What happens upstream, in plain words.'),
    input: z
      .record(z.string(), z.unknown())
      .describe('Example body for POST /__admin/scenarios/{id}; "target" names the upstream connection.'),
    vendor_signal: z
      .string()
      .min(1)
      .describe('What the vendor sends or answers (webhooks, status codes, bodies).'),
    expected_state: z.enum(STATES).describe('The canonical state the connection must reach.'),
    expected_events: z
      .array(z.string().min(1))
      .describe('Vendor webhook event types the mock sends for this scenario, in order.'),
    user_fix: z.string().min(1).describe('What the end user (or nobody) does to fix it.'),
  })
  .strict();

/** How the adapter must detect one scenario (kept beside the entries, keyed by scenario id). */
export const scenarioDetectionSchema = z
  .object({
    detected_by: z
      .array(z.enum(Object.keys(DETECTION_CAPABILITY) as [Detection, ...Detection[]]))
      .min(1)
      .describe(
        'Each way is one conformance rule, run when the provider declares the capability it needs: ' +
          'webhook → webhooks, status_check → statusPolling, api_error → errorClassification, ' +
          'reconnect_attempt → oneClickReconnect or redirectReconnect.',
      ),
    preceded_by: z
      .array(z.string())
      .optional()
      .describe('Scenarios run (and detected by webhook) on the same connection before this one.'),
    reconnect_outcome: z
      .enum(['recovered', 'account_mismatch'])
      .optional()
      .describe(
        'What a reconnect through the vendor page must give after this scenario: "recovered" (same upstream id, ' +
          'connected) or "account_mismatch" (the login landed elsewhere; the connection is not switched).',
      ),
    early_warning: z
      .boolean()
      .optional()
      .describe(
        'The scenario announces a deadline (an early warning, not a break): each way of detecting it leaves the ' +
          'connection in expected_state with one connection.expiring whose deadline is still ahead, and ' +
          'detecting it again emits no second one.',
      ),
  })
  .strict();

export const scenarioCatalogueSchema = z
  .object({
    $schema: z.string().optional(),
    provider: z.string().regex(/^[a-z][a-z0-9-]*$/),
    scenarios: z.array(scenarioEntrySchema).min(1),
    detection: z
      .record(z.string(), scenarioDetectionSchema)
      .describe('For every scenario id: how the adapter must detect it.'),
  })
  .strict()
  .superRefine((catalogue, ctx) => {
    const seen = new Set<string>();
    catalogue.scenarios.forEach((entry, index) => {
      if (!entry.id.startsWith(`${catalogue.provider}.`)) {
        ctx.addIssue({
          code: 'custom',
          path: ['scenarios', index, 'id'],
          message: `must start with "${catalogue.provider}."`,
        });
      }
      if (seen.has(entry.id))
        ctx.addIssue({ code: 'custom', path: ['scenarios', index, 'id'], message: 'duplicate id' });
      seen.add(entry.id);
      if (!catalogue.detection[entry.id])
        ctx.addIssue({ code: 'custom', path: ['detection'], message: `has no entry for "${entry.id}"` });
    });
    for (const [id, detection] of Object.entries(catalogue.detection)) {
      if (!seen.has(id))
        ctx.addIssue({ code: 'custom', path: ['detection', id], message: 'is not a scenario id' });
      for (const before of detection.preceded_by ?? []) {
        if (!seen.has(before))
          ctx.addIssue({
            code: 'custom',
            path: ['detection', id, 'preceded_by'],
            message: `names unknown scenario "${before}"`,
          });
      }
    }
  });

/** A catalogue scenario together with how it must be detected. */
export type ScenarioEntry = z.output<typeof scenarioEntrySchema> & z.output<typeof scenarioDetectionSchema>;
export interface ScenarioCatalogue {
  readonly provider: string;
  readonly scenarios: readonly ScenarioEntry[];
}

/** Validates a parsed catalogue file; the error names the first bad field. */
export function parseScenarioCatalogue(input: unknown, source = 'scenario catalogue'): ScenarioCatalogue {
  const result = scenarioCatalogueSchema.safeParse(input);
  if (result.success) {
    const { provider, scenarios, detection } = result.data;
    return { provider, scenarios: scenarios.map((entry) => ({ ...entry, ...detection[entry.id]! })) };
  }
  const issue = result.error.issues[0];
  const at = (issue?.path ?? []).map(String).join('.');
  throw new Error(`${source} is invalid at "${at}": ${issue?.message ?? 'invalid value'}`);
}

/** The catalogue format as JSON Schema (committed as fixtures/scenarios/catalogue.schema.json). */
export function scenarioCatalogueJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(scenarioCatalogueSchema, { target: 'draft-2020-12' }),
    $id: 'https://reconnect-kit.dev/schemas/scenario-catalogue.schema.json',
    title: 'Reconnect Kit scenario catalogue',
  };
}

/**
 * Validates `value` against a JSON Schema (such as the committed catalogue.schema.json) with zod's JSON Schema
 * support; returns the problems in plain words, or undefined when it validates.
 */
export function jsonSchemaProblems(schema: Record<string, unknown>, value: unknown): string | undefined {
  const result = z.fromJSONSchema(schema).safeParse(value);
  return result.success ? undefined : z.prettifyError(result.error);
}
