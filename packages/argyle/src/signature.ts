import { createHmac, timingSafeEqual } from 'node:crypto';

/** Argyle sends 128 lowercase hex characters (HMAC-SHA512). Anything else is rejected before any HMAC work. */
const SIGNATURE_FORMAT = /^[0-9a-f]{128}$/;

export const ARGYLE_SIGNATURE_HEADER = 'x-argyle-signature';

/**
 * True when `signature` is the hex HMAC-SHA512 of the exact `rawBody` bytes under any of `secrets` (several
 * during a rotation). Compares digests with `timingSafeEqual` on equal-length buffers; every secret is tried so
 * the time taken does not reveal which one matched.
 */
export function isValidArgyleSignature(
  rawBody: Uint8Array,
  signature: string | null,
  secrets: readonly string[],
): boolean {
  if (signature === null || !SIGNATURE_FORMAT.test(signature)) return false;
  const received = Buffer.from(signature, 'hex');
  let valid = false;
  for (const secret of secrets) {
    const expected = createHmac('sha512', secret).update(rawBody).digest();
    if (timingSafeEqual(expected, received)) valid = true;
  }
  return valid;
}
