import { describe, expect, it } from 'vitest';
import { isValidArgyleSignature } from './signature.js';
import { loadVectors } from './test-kit.test-helpers.js';

const vectors = loadVectors();
const bytes = (s: string) => new TextEncoder().encode(s);

describe('Argyle webhook signature (hex HMAC-SHA512 of the raw body)', () => {
  it('the vector file has both valid and invalid cases', () => {
    expect(vectors.filter((v) => v.valid).length).toBeGreaterThanOrEqual(3);
    expect(vectors.filter((v) => !v.valid).length).toBeGreaterThanOrEqual(6);
  });

  it.each(vectors)('$description', (vector) => {
    expect(isValidArgyleSignature(bytes(vector.body), vector.signature, [vector.secret])).toBe(vector.valid);
  });

  it('accepts a signature made with any of the rotation secrets, and none without a match', () => {
    const vector = vectors.find((v) => v.valid)!;
    expect(isValidArgyleSignature(bytes(vector.body), vector.signature, ['old-secret', vector.secret])).toBe(
      true,
    );
    expect(isValidArgyleSignature(bytes(vector.body), vector.signature, [vector.secret, 'next-secret'])).toBe(
      true,
    );
    expect(isValidArgyleSignature(bytes(vector.body), vector.signature, ['old-secret', 'next-secret'])).toBe(
      false,
    );
  });

  it('rejects a missing header', () => {
    const vector = vectors.find((v) => v.valid)!;
    expect(isValidArgyleSignature(bytes(vector.body), null, [vector.secret])).toBe(false);
  });
});
