import { describe, expect, it } from 'vitest';
import { thrownCode } from './error-code.test-helpers.js';
import { isReconnectKitError } from './errors.js';
import { SecretBox } from './secret-box.js';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const oldBox = new SecretBox({ keys: [{ id: 'old', key: key(1) }], primaryKeyId: 'old' });
const rotatedBox = new SecretBox({
  keys: [
    { id: 'old', key: key(1) },
    { id: 'new', key: key(2) },
  ],
  primaryKeyId: 'new',
});

describe('SecretBox', () => {
  it('seals to v1.<kid>.<iv>.<ciphertext>.<tag> and opens it again', () => {
    const sealed = oldBox.seal('tok_live_secret', 'conn_1');
    expect(sealed).toMatch(/^v1\.old\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(sealed).not.toContain('tok_live_secret');
    expect(oldBox.open(sealed, 'conn_1')).toBe('tok_live_secret');
    expect(oldBox.seal('same', 'c')).not.toBe(oldBox.seal('same', 'c'));
  });

  it('rotates to the primary key; old keys still open', () => {
    const sealed = oldBox.seal('payload', 'conn_1');
    const rotated = rotatedBox.rotate(sealed, 'conn_1');
    expect(rotatedBox.keyIdOf(rotated)).toBe('new');
    expect(rotatedBox.open(rotated, 'conn_1')).toBe('payload');
    expect(rotatedBox.open(sealed, 'conn_1')).toBe('payload');
    expect(rotatedBox.rotate(rotated, 'conn_1')).toBe(rotated);
  });

  it('fails with secret_key_unknown for a key id that is not configured', () => {
    const sealed = rotatedBox.seal('payload');
    expect(thrownCode(() => oldBox.open(sealed))).toBe('secret_key_unknown');
  });

  it('fails with secret_decrypt_failed on tampering, another context, a swapped key id, or garbage', () => {
    const sealed = rotatedBox.seal('payload', 'conn_1');
    const parts = sealed.split('.');
    const flip = (s: string) => (s[0] === 'A' ? `B${s.slice(1)}` : `A${s.slice(1)}`);
    for (const index of [2, 3, 4]) {
      const tampered = parts.map((p, i) => (i === index ? flip(p) : p)).join('.');
      expect(thrownCode(() => rotatedBox.open(tampered, 'conn_1'))).toBe('secret_decrypt_failed');
    }
    expect(thrownCode(() => rotatedBox.open(sealed, 'conn_2'))).toBe('secret_decrypt_failed');
    expect(thrownCode(() => rotatedBox.open(sealed.replace('.new.', '.old.'), 'conn_1'))).toBe(
      'secret_decrypt_failed',
    );
    for (const garbage of ['', 'v1', 'v2.new.a.b.c', 'v1.new.a.b', 'v1.n$w.a.b.c']) {
      expect(thrownCode(() => rotatedBox.open(garbage))).toBe('secret_decrypt_failed');
    }
  });

  it('validates its config and names the bad field', () => {
    const cases: [unknown, string][] = [
      [{ keys: [], primaryKeyId: 'a' }, 'secretBox.keys'],
      [
        { keys: [{ id: 'a', key: Buffer.alloc(16).toString('base64') }], primaryKeyId: 'a' },
        'secretBox.keys.0.key',
      ],
      [{ keys: [{ id: 'a.b', key: key(1) }], primaryKeyId: 'a.b' }, 'secretBox.keys.0.id'],
      [{ keys: [{ id: 'a', key: key(1) }], primaryKeyId: 'b' }, 'secretBox.primaryKeyId'],
      [
        {
          keys: [
            { id: 'a', key: key(1) },
            { id: 'a', key: key(2) },
          ],
          primaryKeyId: 'a',
        },
        'secretBox.keys',
      ],
    ];
    for (const [config, field] of cases) {
      try {
        new SecretBox(config as ConstructorParameters<typeof SecretBox>[0]);
        throw new Error(`accepted ${field}`);
      } catch (error) {
        expect(isReconnectKitError(error, 'config_invalid')).toBe(true);
        expect((error as { details: { field: string } }).details.field).toBe(field);
        expect((error as Error).message).not.toContain(key(1));
      }
    }
  });
});
