import { createHash, timingSafeEqual } from 'node:crypto';
import type { MockProviderDefinition } from './types.js';

/** Constant-time comparison of two secrets of any length (API keys, client secrets), for every mock's auth check. */
export function secretsEqual(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export interface CredentialSources {
  /** Explicit overrides (highest precedence). */
  credentials?: Partial<Record<string, string>>;
  /** Environment consulted through the definition's `credentialEnv` names. */
  env?: Record<string, string | undefined>;
  /** `--webhook-secret`: also becomes the `webhook_secret` credential when the vendor has one. */
  webhookSecret?: string;
}

/** Definition defaults ← environment (`credentialEnv`) ← `webhookSecret` ← explicit overrides. */
export function resolveCredentials<S>(
  definition: MockProviderDefinition<S>,
  sources: CredentialSources,
): Record<string, string> {
  const credentials: Record<string, string> = { ...definition.defaultCredentials };
  for (const [field, envName] of Object.entries(definition.credentialEnv ?? {})) {
    const value = sources.env?.[envName];
    if (value !== undefined && value !== '') credentials[field] = value;
  }
  if (sources.webhookSecret !== undefined && 'webhook_secret' in credentials) {
    credentials.webhook_secret = sources.webhookSecret;
  }
  for (const [field, value] of Object.entries(sources.credentials ?? {})) {
    if (value !== undefined) credentials[field] = value;
  }
  return credentials;
}
