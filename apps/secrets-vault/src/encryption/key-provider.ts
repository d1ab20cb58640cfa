/** A data key as the key provider wrapped it, with the id of the master key that did. */
export interface WrappedKey {
  masterKeyId: string;
  wrapped: Buffer;
}

/**
 * The port to the master key: the default reads it from configuration (ConfiguredKeyProvider); a
 * cloud KMS plugs in here with the same four operations. Master key material never leaves it.
 */
export interface KeyProvider {
  /** the master key new data keys are wrapped with */
  readonly currentKeyId: string;
  /** whether it can unwrap keys wrapped by this master key (the current one or a retired one) */
  knows(masterKeyId: string): boolean;
  /** `context` is authenticated with the key (the organization id): a wrapped key cannot move */
  wrap(key: Buffer, context: string): Promise<WrappedKey>;
  unwrap(wrapped: WrappedKey, context: string): Promise<Buffer>;
}

export const KEY_PROVIDER = Symbol('KEY_PROVIDER');
