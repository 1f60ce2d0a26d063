import { createHmac, timingSafeEqual } from 'node:crypto';
import { ReconnectKitError } from '@reconnect-kit/core';

export const FINCH_WEBHOOK_HEADERS = {
  eventId: 'finch-event-id',
  timestamp: 'finch-timestamp',
  signature: 'finch-signature',
} as const;

/** Finch (like the SDK) rejects timestamps more than five minutes away from now, in either direction. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

const SHA256_BYTES = 32;

export interface FinchWebhookHeaders {
  readonly eventId: string;
  readonly timestamp: Date;
}

/**
 * Checks `Finch-Signature` (space-separated `v1,<base64>` entries) against HMAC-SHA256 of `{id}.{timestamp}.{body}`
 * keyed with each base64-decoded secret (several while rotating). Only `v1` entries count. Throws `webhook_*` errors.
 */
export function verifyFinchSignature(
  rawBody: Uint8Array,
  headers: Headers,
  now: Date,
  secrets: readonly string[],
): FinchWebhookHeaders {
  const eventId = requireHeader(headers, FINCH_WEBHOOK_HEADERS.eventId);
  const timestampText = requireHeader(headers, FINCH_WEBHOOK_HEADERS.timestamp);
  const signatureHeader = requireHeader(headers, FINCH_WEBHOOK_HEADERS.signature);

  if (!/^\d+$/.test(timestampText)) {
    throw new ReconnectKitError('webhook_signature_invalid', {
      message: 'The Finch-Timestamp header is not a Unix time in seconds.',
    });
  }
  const timestampSeconds = Number(timestampText);
  const skewSeconds = Math.floor(now.getTime() / 1000) - timestampSeconds;
  if (Math.abs(skewSeconds) > WEBHOOK_TOLERANCE_SECONDS) {
    throw new ReconnectKitError('webhook_stale', {
      message: `The Finch-Timestamp is ${Math.abs(skewSeconds)} s ${skewSeconds > 0 ? 'old' : 'in the future'}; at most ${WEBHOOK_TOLERANCE_SECONDS} s is accepted.`,
      details: { eventId, skewSeconds },
    });
  }

  const candidates = v1Signatures(signatureHeader);
  const signedContent = Buffer.concat([Buffer.from(`${eventId}.${timestampText}.`, 'utf8'), rawBody]);
  const matches = secrets.some((secret) => {
    const expected = createHmac('sha256', Buffer.from(secret, 'base64')).update(signedContent).digest();
    // Compare every candidate (no early exit) so timing does not reveal which entry matched.
    return candidates.reduce((found, candidate) => timingSafeEqual(candidate, expected) || found, false);
  });
  if (!matches) {
    throw new ReconnectKitError('webhook_signature_invalid', {
      message:
        'None of the Finch-Signature v1 entries matches the body under the configured webhook secrets.',
      details: { eventId },
    });
  }
  return { eventId, timestamp: new Date(timestampSeconds * 1000) };
}

function requireHeader(headers: Headers, name: string): string {
  const value = headers.get(name);
  if (value === null || value.trim() === '') {
    throw new ReconnectKitError('webhook_signature_invalid', { message: `The ${name} header is missing.` });
  }
  return value.trim();
}

/** The decoded digests of the `v1,` entries in canonical base64 of SHA-256 length; other versions never match. */
function v1Signatures(header: string): Buffer[] {
  return header
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => entry.slice('v1,'.length))
    .map((text) => ({ text, digest: Buffer.from(text, 'base64') }))
    .filter(({ text, digest }) => digest.length === SHA256_BYTES && digest.toString('base64') === text)
    .map(({ digest }) => digest);
}
