import type {
  SealedSecretValue,
  TransportKeyView,
  TransportSealedValue,
} from '@orgplane/contracts';

/** Which value of which secret: the authenticated data its ciphertext is bound to. */
export interface ValueRef {
  organizationId: string;
  secretId: string;
  version: number;
}

/**
 * How the secrets domain encrypts, the port its handlers depend on. The key hierarchy behind it
 * (docs/adr/0010): a master key from the key provider wraps one data key per organization; the data
 * key wraps one value key per written value; the value key encrypts the value (AES-256-GCM).
 * Wrapped keys live in the vault's key store, never in events, so destroying a key row destroys
 * every copy of what it encrypted, including the ciphertexts in the event store.
 */
export abstract class SecretCipher {
  /**
   * Encrypts a new value under a fresh value key, creating the organization's data key on first
   * use. Fails with 404 `organization_not_found` once the organization's data key was destroyed.
   */
  abstract seal(ref: ValueRef, plaintext: string): Promise<SealedSecretValue>;

  /**
   * Decrypts a value. Fails with ServiceError `not_found` / `secret_unrecoverable` when its value
   * key or its organization's data key was destroyed.
   */
  abstract open(ref: ValueRef, sealed: SealedSecretValue): Promise<string>;

  /** Destroys the value keys of these versions of a secret (retired or destroyed); idempotent. */
  abstract destroyValueKeys(secretId: string, versions: readonly number[]): Promise<void>;

  /**
   * Crypto-shredding: destroys the organization's data key and its value keys, and remembers that
   * it did, so no later write creates a new one (also when the organization never had a key).
   * Returns false when it was already destroyed. Recording `DataKeyDestroyed`, with its cause, is
   * the caller's part.
   */
  abstract destroyOrganizationKey(organizationId: string): Promise<boolean>;
}

/**
 * The vault's transport key pair: the gateway seals values to its public half, so no plaintext
 * value crosses NATS on a write. Every vault instance holds the same pair.
 */
export abstract class TransportKeys {
  abstract publicKey(): Promise<TransportKeyView>;
  /** Fails with 400 `invalid_sealed_value` when the value was not sealed to this key or altered. */
  abstract open(sealed: TransportSealedValue): Promise<string>;
}
