import { ReconnectKitError } from '@reconnect-kit/core';

/** Where a webhook's raw body comes from: a fetch `Request` stream, a Node request stream, or captured bytes. */
export interface RawBodySource {
  /** The `Content-Length` the client declared, when it declared a valid one. */
  readonly declaredLength: number | undefined;
  /** Reads the whole body; throws `webhook_too_large` as soon as more than `limit` bytes have arrived. */
  read(limit: number): Promise<Uint8Array>;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export function tooLarge(limit: number): ReconnectKitError {
  return new ReconnectKitError('webhook_too_large', { details: { maxBodyBytes: limit } });
}

/** Parses a Content-Length header value; anything but a plain non-negative integer counts as "not declared". */
export function parseContentLength(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/**
 * Collects chunks until the stream ends, and stops (leaving the rest unread) once the total passes `limit`,
 * so an oversized or endless body never sits in memory. The caller's iterator decides what "stop" does to the
 * underlying stream (cancel a fetch stream; leave a Node socket alone so the 413 can still be written).
 */
export async function collectWithinLimit(
  chunks: AsyncIterable<Uint8Array>,
  limit: number,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.byteLength;
    if (total > limit) throw tooLarge(limit);
    parts.push(chunk);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.byteLength;
  }
  return body;
}

/** Reads a fetch `Request` body; on overflow the stream is cancelled (the iterator's `return` cancels it). */
export function fetchBodySource(request: Request): RawBodySource {
  return {
    declaredLength: parseContentLength(request.headers.get('content-length')),
    read: (limit) =>
      request.body ? collectWithinLimit(request.body, limit) : Promise.resolve(new Uint8Array()),
  };
}

/** Bytes already in memory (kept by `keepRawBody`): their length is exact, so the declared-length check applies. */
export function bufferedBodySource(bytes: Uint8Array): RawBodySource {
  return { declaredLength: bytes.byteLength, read: async () => bytes };
}
