/**
 * Reads a fetch body, keeping at most `limit` bytes. An oversized body is still read to the end (and dropped) so
 * the sender is not cut off mid-upload and gets the 413.
 */
export async function readBodyWithLimit(
  request: Request,
  limit: number,
): Promise<{ bytes: Uint8Array; tooLarge: boolean }> {
  if (!request.body) return { bytes: new Uint8Array(0), tooLarge: false };
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size <= limit) chunks.push(value);
  }
  if (size > limit) return { bytes: new Uint8Array(0), tooLarge: true };
  if (chunks.length === 1) return { bytes: chunks[0]!, tooLarge: false };
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes, tooLarge: false };
}
