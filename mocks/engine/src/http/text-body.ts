import { forEachHeader, type HeaderSource } from './incoming-call.js';

/** The one message every route (vendor or admin) answers an undecodable text body with. */
export const NOT_UTF8_MESSAGE = 'request body is not valid UTF-8';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 strictly; `undefined` when the bytes are not valid UTF-8 (never a lossy U+FFFD decoding). */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Bodies the vendors' APIs read as text: JSON, form posts, text/*. Other types (octet-stream, ...) stay bytes. */
export function isTextBody(headers: HeaderSource): boolean {
  let contentType = '';
  forEachHeader(headers, (name, value) => {
    if (name.toLowerCase() === 'content-type') contentType = value.toLowerCase();
  });
  return (
    contentType.includes('json') ||
    contentType.startsWith('application/x-www-form-urlencoded') ||
    contentType.startsWith('text/')
  );
}
