import { parseConfig } from '@reconnect-kit/core';
import { z } from 'zod';

export const ARGYLE_ENVIRONMENTS = {
  sandbox: 'https://api-sandbox.argyle.com/v2',
  production: 'https://api.argyle.com/v2',
} as const;

const secret = z.string().min(1, 'must not be empty');

/**
 * Where the host recorded each user's shareable URL. Argyle's API has no field for it (Console shows it per user),
 * so the host keeps it: on the connection (`connection_metadata`, set at `registerConnection`) or on the Argyle
 * user (`user_external_metadata`, e.g. `PATCH /v2/users/{id}` with `{"external_metadata": {"shareable_url": …}}`).
 */
export const ARGYLE_SHAREABLE_URL_SOURCES = ['connection_metadata', 'user_external_metadata'] as const;
export type ArgyleShareableUrlSource = (typeof ARGYLE_SHAREABLE_URL_SOURCES)[number];

/** What `registerArgyle` accepts. Exactly one of `environment` or `baseUrl` says where the API is. */
export const argyleConfigSchema = z
  .object({
    /** Basic-auth username (Argyle Console → API keys). */
    apiKeyId: secret,
    /** Basic-auth password. Never logged, never part of an error message. */
    apiKeySecret: secret,
    environment: z.enum(['sandbox', 'production']).optional(),
    /** Explicit API root ending in `/v2`, e.g. the mock's `http://127.0.0.1:PORT/v2`. Wins over `environment`. */
    baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    /** The webhook subscription secret; several while rotating (any one may match). */
    webhookSecret: z.union([secret, z.array(secret).min(1, 'must list at least one secret')]),
    /** Where Link opens (Argyle-hosted page or the mock's Link page). */
    linkUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
    /** What stops working while a connection is broken, shown to end users ("Income verification"). */
    impact: z.array(z.string().min(1)).optional(),
    /**
     * Users who reached Link through a shareable URL return through the same URL: reconnect answers a `redirect`
     * to it. `source` says where the host recorded the URL, `key` under which name (default `shareable_url`).
     * Default: `{ source: 'connection_metadata' }`; `false` always reconnects through embedded Link.
     */
    shareableUrls: z
      .union([
        z.literal(false),
        z
          .object({
            source: z.enum(ARGYLE_SHAREABLE_URL_SOURCES),
            key: z.string().min(1, 'must not be empty').default('shareable_url'),
          })
          .strict(),
      ])
      .default({ source: 'connection_metadata', key: 'shareable_url' }),
    /** Retries of a failed Argyle call: 429, 5xx, network; POSTs only when Argyle cannot have acted (default 2). */
    maxRetries: z.number().int().min(0).max(10).default(2),
  })
  .strict()
  .refine((c) => c.environment !== undefined || c.baseUrl !== undefined, {
    message: 'set "environment" (sandbox | production) or "baseUrl"',
    path: ['environment'],
  });

export type ArgyleConfig = z.input<typeof argyleConfigSchema>;

export interface ResolvedArgyleConfig {
  readonly apiKeyId: string;
  readonly apiKeySecret: string;
  /** API root without a trailing slash, ending in `/v2`. */
  readonly baseUrl: string;
  readonly webhookSecrets: readonly string[];
  readonly linkUrl: string;
  readonly impact: readonly string[] | undefined;
  readonly maxRetries: number;
  readonly shareableUrls: { readonly source: ArgyleShareableUrlSource; readonly key: string } | null;
}

/** Validates the config; the error names the bad field (never its value). */
export function resolveArgyleConfig(input: unknown): ResolvedArgyleConfig {
  const config = parseConfig(argyleConfigSchema, input, 'argyle');
  const baseUrl = (config.baseUrl ?? ARGYLE_ENVIRONMENTS[config.environment ?? 'sandbox']).replace(
    /\/+$/,
    '',
  );
  const secrets = config.webhookSecret;
  const resolved: ResolvedArgyleConfig = {
    apiKeyId: config.apiKeyId,
    apiKeySecret: config.apiKeySecret,
    baseUrl,
    webhookSecrets: typeof secrets === 'string' ? [secrets] : secrets,
    linkUrl: config.linkUrl,
    impact: config.impact,
    maxRetries: config.maxRetries,
    shareableUrls: config.shareableUrls === false ? null : config.shareableUrls,
  };
  // Keep secrets out of JSON.stringify / util.inspect of the config object.
  return Object.defineProperties(resolved, {
    apiKeySecret: { enumerable: false },
    webhookSecrets: { enumerable: false },
  });
}
