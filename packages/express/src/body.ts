import type { IncomingMessage } from 'node:http';
import { isReconnectKitError, ReconnectKitError } from '@reconnect-kit/core';
import { HttpLayerError } from './http-error.js';

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
  return concat(parts, total);
}

/**
 * `collectWithinLimit` for a Node request, on its `data` events: an async iterator costs a promise and a
 * microtask turn per chunk, which shows in the profile of a busy webhook endpoint. Past `limit` it stops
 * collecting and lets the rest flow away unbuffered; the socket stays open so the 413 can still be written.
 */
export function readWithinLimit(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const parts: Uint8Array[] = [];
    let total = 0;
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAborted);
      req.off('close', onAborted);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > limit) {
        stop();
        req.resume(); // discard whatever else arrives instead of buffering it
        reject(tooLarge(limit));
        return;
      }
      parts.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(concat(parts, total));
    };
    // A socket error or close before the body ended is the client going away (or the network for it).
    const onAborted = () => {
      stop();
      reject(new HttpLayerError('client_aborted'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAborted);
    req.on('close', onAborted);
  });
}

/** One exact-size copy: a chunk may be a view into a larger socket buffer that should not be kept alive. */
function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const body = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.byteLength;
  }
  return body;
}

/**
 * Reads a fetch `Request` body; on overflow the stream is cancelled (the iterator's `return` cancels it). A stream
 * that fails after the request's signal aborted (frameworks abort it when the client disconnects) is the client
 * going away, not a server fault.
 */
export function fetchBodySource(request: Request): RawBodySource {
  return {
    declaredLength: parseContentLength(request.headers.get('content-length')),
    read: async (limit) => {
      if (!request.body) return new Uint8Array();
      try {
        return await collectWithinLimit(request.body, limit);
      } catch (error) {
        if (request.signal.aborted && !isReconnectKitError(error)) throw new HttpLayerError('client_aborted');
        throw error;
      }
    },
  };
}

/** Bytes already in memory (kept by `keepRawBody`): their length is exact, so the declared-length check applies. */
export function bufferedBodySource(bytes: Uint8Array): RawBodySource {
  return { declaredLength: bytes.byteLength, read: async () => bytes };
}
