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
  /**
   * `context` is authenticated with the key (an organization id, or `transport`): a wrapped key
   * unwraps only for what it was wrapped for, so it cannot be moved to another row.
   */
  wrap(key: Buffer, context: string): Promise<WrappedKey>;
  /**
   * Fails when the master key is unknown, or the blob or the context is not what was wrapped. The
   * caller zeroes the key it gets once done with it.
   */
  unwrap(wrapped: WrappedKey, context: string): Promise<Buffer>;
}

export const KEY_PROVIDER = Symbol('KEY_PROVIDER');
