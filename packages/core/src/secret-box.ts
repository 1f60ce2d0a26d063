import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ReconnectKitError } from './errors.js';
import { parseConfig } from './validation.js';

const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const FORMAT_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const secretBoxConfigSchema = z
  .object({
    keys: z
      .array(
        z.object({
          id: z.string().regex(KEY_ID, 'key ids are 1-64 characters of A-Z a-z 0-9 _ -'),
          key: z
            .string()
            .refine(
              (value) => Buffer.from(value, 'base64').length === 32,
              'must be base64 of exactly 32 bytes',
            ),
        }),
      )
      .min(1, 'at least one key is required'),
    primaryKeyId: z.string(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const ids = config.keys.map((k) => k.id);
    if (!ids.includes(config.primaryKeyId)) {
      ctx.addIssue({ code: 'custom', path: ['primaryKeyId'], message: 'must be the id of one of the keys' });
    }
    const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
    if (duplicate !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['keys'], message: `key id "${duplicate}" appears twice` });
    }
  });

export type SecretBoxConfig = z.input<typeof secretBoxConfigSchema>;

/**
 * AES-256-GCM envelope for stored secrets. Sealed form: `v1.<kid>.<iv>.<ciphertext>.<tag>` (base64url parts).
 * The header `v1.<kid>` and an optional context (the connection id) are authenticated as additional data, so
 * a ciphertext cannot be moved to another key id or another connection without failing to open.
 */
export class SecretBox {
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly #primaryKeyId: string;

  constructor(config: SecretBoxConfig) {
    const parsed = parseConfig(secretBoxConfigSchema, config, 'secretBox');
    this.#keys = new Map(parsed.keys.map((k) => [k.id, Buffer.from(k.key, 'base64')]));
    this.#primaryKeyId = parsed.primaryKeyId;
  }

  get primaryKeyId(): string {
    return this.#primaryKeyId;
  }

  /** The key id a sealed string was made with (no decryption). */
  keyIdOf(sealed: string): string {
    return this.#parse(sealed).kid;
  }

  seal(plaintext: string, context = ''): string {
    const key = this.#keys.get(this.#primaryKeyId) as Buffer;
    const header = `${FORMAT_VERSION}.${this.#primaryKeyId}`;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(`${header}\u0000${context}`));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, ciphertext, cipher.getAuthTag()].map((part) => part.toString('base64url'));
    return [header, ...parts].join('.');
  }

  open(sealed: string, context = ''): string {
    const { kid, iv, ciphertext, tag } = this.#parse(sealed);
    const key = this.#keys.get(kid);
    if (!key) throw new ReconnectKitError('secret_key_unknown', { details: { keyId: kid } });
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(`${FORMAT_VERSION}.${kid}\u0000${context}`));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new ReconnectKitError('secret_decrypt_failed', { details: { keyId: kid } });
    }
  }

  /** Re-encrypts with the primary key. Already-primary ciphertexts are returned unchanged. */
  rotate(sealed: string, context = ''): string {
    if (this.keyIdOf(sealed) === this.#primaryKeyId) return sealed;
    return this.seal(this.open(sealed, context), context);
  }

  #parse(sealed: string): { kid: string; iv: Buffer; ciphertext: Buffer; tag: Buffer } {
    const parts = sealed.split('.');
    const [version, kid, iv, ciphertext, tag] = parts;
    if (
      parts.length !== 5 ||
      version !== FORMAT_VERSION ||
      kid === undefined ||
      !KEY_ID.test(kid) ||
      iv === undefined ||
      ciphertext === undefined ||
      tag === undefined
    ) {
      throw new ReconnectKitError('secret_decrypt_failed', { message: 'The sealed secret is malformed.' });
    }
    const decoded = {
      kid,
      iv: Buffer.from(iv, 'base64url'),
      ciphertext: Buffer.from(ciphertext, 'base64url'),
      tag: Buffer.from(tag, 'base64url'),
    };
    if (decoded.iv.length !== IV_BYTES || decoded.tag.length !== TAG_BYTES) {
      throw new ReconnectKitError('secret_decrypt_failed', { message: 'The sealed secret is malformed.' });
    }
    return decoded;
  }
}
