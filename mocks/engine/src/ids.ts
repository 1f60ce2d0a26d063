import { randomBytes } from 'node:crypto';

/** A UUID v7 (RFC 9562): 48-bit millisecond timestamp from the mock clock, then random bits. */
export function uuidV7(nowMs: number): string {
  const bytes = randomBytes(16);
  let time = nowMs;
  for (let index = 5; index >= 0; index--) {
    bytes[index] = time % 256;
    time = Math.floor(time / 256);
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
