import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';

/** AES-256 keys at every level of the hierarchy: master, data and value keys. */
export const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM output, in parts. */
export interface GcmSealed {
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/**
 * Encrypts under a fresh random nonce, so one key may seal many values (2^32 of them before the
 * chance of a repeated nonce becomes a concern, far beyond any key here). `aad` binds the
 * ciphertext to what it belongs to: opened under any other, it fails authentication.
 */
export function gcmSeal(key: KeyObject, plaintext: Buffer, aad: string): GcmSealed {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { nonce, ciphertext, tag: cipher.getAuthTag() };
}

/** Throws when the key, the AAD, or any byte of the sealed parts is not what sealed them. */
export function gcmOpen(key: KeyObject, sealed: GcmSealed, aad: string): Buffer {
  if (sealed.nonce.length !== NONCE_BYTES || sealed.tag.length !== TAG_BYTES) {
    throw new Error('Malformed AES-GCM nonce or tag');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.nonce, {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
}

/** A wrapped key as one blob, as the key store keeps it: nonce | ciphertext | tag. */
export function wrapKey(wrappingKey: KeyObject, key: Buffer, aad: string): Buffer {
  const { nonce, ciphertext, tag } = gcmSeal(wrappingKey, key, aad);
  return Buffer.concat([nonce, ciphertext, tag]);
}

export function unwrapKey(wrappingKey: KeyObject, wrapped: Buffer, aad: string): Buffer {
  if (wrapped.length < NONCE_BYTES + TAG_BYTES) throw new Error('Malformed wrapped key');
  return gcmOpen(
    wrappingKey,
    {
      nonce: wrapped.subarray(0, NONCE_BYTES),
      ciphertext: wrapped.subarray(NONCE_BYTES, wrapped.length - TAG_BYTES),
      tag: wrapped.subarray(wrapped.length - TAG_BYTES),
    },
    aad,
  );
}
