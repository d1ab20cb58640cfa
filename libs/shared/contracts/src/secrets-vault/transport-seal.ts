import {
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { z } from 'zod';

/**
 * A secret value on its way from the gateway to the vault. NATS carries it sealed to the vault's
 * transport key (X25519), so no plaintext crosses the broker on a write: an ephemeral key pair per
 * value, HKDF-SHA256 over the shared secret, AES-256-GCM. Only the replies to a reveal or a
 * resolve carry a value in the clear, as the spec allows.
 */
export const transportSealedValueSchema = z.strictObject({
  transportKeyId: z.string().min(1).max(100),
  /** base64url, 32 bytes */
  ephemeralPublicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  nonce: z.string().regex(/^[A-Za-z0-9+/]{16}$/),
  ciphertext: z
    .string()
    .regex(/^[A-Za-z0-9+/]*={0,2}$/)
    .max(100_000),
  tag: z.string().regex(/^[A-Za-z0-9+/]{22}==$/),
});
export type TransportSealedValue = z.infer<typeof transportSealedValueSchema>;

/** Reply of `secrets-vault.v1.getTransportKey`: the public half, as a JWK's `x`. */
export interface TransportKeyView {
  keyId: string;
  /** X25519 public key, base64url (JWK `x`) */
  publicKey: string;
}

const INFO = Buffer.from('orgplane secrets-vault transport v1');

function x25519PublicKey(x: string): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' });
}

function transportKey(shared: Buffer, ephemeralX: string, recipientX: string): Buffer {
  const salt = Buffer.from(`${ephemeralX}.${recipientX}`);
  return Buffer.from(hkdfSync('sha256', shared, salt, INFO, 32));
}

/** The gateway's side: seal `value` to the vault's transport key. */
export function sealForVault(value: string, recipient: TransportKeyView): TransportSealedValue {
  const ephemeral = generateKeyPairSync('x25519');
  const ephemeralX = ephemeral.publicKey.export({ format: 'jwk' }).x as string;
  const shared = diffieHellman({
    privateKey: ephemeral.privateKey,
    publicKey: x25519PublicKey(recipient.publicKey),
  });
  const nonce = randomBytes(12);
  const cipher = createCipheriv(
    'aes-256-gcm',
    transportKey(shared, ephemeralX, recipient.publicKey),
    nonce,
  );
  cipher.setAAD(Buffer.from(recipient.keyId));
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return {
    transportKeyId: recipient.keyId,
    ephemeralPublicKey: ephemeralX,
    nonce: nonce.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

/**
 * The vault's side: open a value sealed to its transport key pair. Throws when the value was not
 * sealed to this key or was altered on the way.
 */
export function openFromGateway(
  sealed: TransportSealedValue,
  recipient: { keyId: string; privateKey: KeyObject },
): string {
  if (sealed.transportKeyId !== recipient.keyId) {
    throw new Error(`Sealed to transport key ${sealed.transportKeyId}, not ${recipient.keyId}`);
  }
  const recipientX = createPublicKey(recipient.privateKey).export({ format: 'jwk' }).x as string;
  const shared = diffieHellman({
    privateKey: recipient.privateKey,
    publicKey: x25519PublicKey(sealed.ephemeralPublicKey),
  });
  const decipher = createDecipheriv(
    'aes-256-gcm',
    transportKey(shared, sealed.ephemeralPublicKey, recipientX),
    Buffer.from(sealed.nonce, 'base64'),
  );
  decipher.setAAD(Buffer.from(recipient.keyId));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([
    decipher.update(Buffer.from(sealed.ciphertext, 'base64')),
    decipher.final(),
  ]).toString('utf8');
}
