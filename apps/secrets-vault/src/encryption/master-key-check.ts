import { ConfigurationError } from '@orgplane/util';
import type { KeyProvider } from './key-provider';
import type { KeyStore } from './key-store';
import { TRANSPORT_KEY_CONTEXT } from './stored-transport-keys';

interface WrappedSample {
  master_key_id: string;
  context: string;
  wrapped: Buffer;
}

/**
 * Refuses to start with master keys that cannot open the stored keys: otherwise the vault would
 * answer, then fail every reveal, or seal new values under a key next to old ones it has lost.
 * Every master key the stored keys name must be known, and one key each wraps must unwrap, which
 * proves the key material and not just its id.
 */
export async function verifyMasterKeys(
  keyStore: KeyStore,
  keyProvider: KeyProvider,
): Promise<void> {
  const samples = (await keyStore.dataSource.query(
    `SELECT DISTINCT ON (master_key_id) master_key_id, context, wrapped
       FROM (SELECT master_key_id, organization_id::text AS context, wrapped_key AS wrapped
               FROM ${keyStore.dataKeys} WHERE wrapped_key IS NOT NULL
             UNION ALL
             SELECT master_key_id, $1::text, wrapped_private_key FROM ${keyStore.transportKeys}) AS stored
      ORDER BY master_key_id`,
    [TRANSPORT_KEY_CONTEXT],
  )) as WrappedSample[];
  const unknown = samples.filter((sample) => !keyProvider.knows(sample.master_key_id));
  if (unknown.length > 0) {
    const ids = unknown.map((sample) => sample.master_key_id).join(', ');
    throw new ConfigurationError(
      `SECRETS_MASTER_KEY does not match the stored data keys: they are wrapped with master key ` +
        `${ids}, which is neither SECRETS_MASTER_KEY (${keyProvider.currentKeyId}) nor in ` +
        'SECRETS_RETIRED_MASTER_KEYS',
    );
  }
  for (const sample of samples) {
    const key = await keyProvider
      .unwrap({ masterKeyId: sample.master_key_id, wrapped: sample.wrapped }, sample.context)
      .catch(() => {
        throw new ConfigurationError(
          `Master key ${sample.master_key_id} does not unwrap the keys stored under its id: ` +
            'the configured key is not the one that wrapped them, or the key store was altered',
        );
      });
    key.fill(0);
  }
}
