import { randomBytes } from 'node:crypto';

/**
 * A secret of the same shape as the real one (so the vendor's signer still accepts it) that certainly differs:
 * `whsec_<base64>` stays `whsec_<base64>`, anything else becomes hex of the same length.
 */
export function wrongSecretLike(secret: string): string {
  if (secret.startsWith('whsec_')) return `whsec_${randomBytes(24).toString('base64')}`;
  const length = Math.max(secret.length, 16);
  let candidate = randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length);
  if (candidate === secret) candidate = `${candidate}x`;
  return candidate;
}
