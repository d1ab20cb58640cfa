import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  openFromGateway,
  type TransportKeyView,
  type TransportSealedValue,
} from '@orgplane/contracts';
import { newId, ServiceError } from '@orgplane/util';
import type { KeyProvider } from './key-provider';
import type { KeyStore } from './key-store';
import { TransportKeys } from './secret-cipher';

/** What the transport private key is wrapped for: it cannot pass for an organization's data key. */
export const TRANSPORT_KEY_CONTEXT = 'transport';

interface TransportKeyRow {
  key_id: string;
  public_key: string;
  wrapped_private_key: Buffer;
  master_key_id: string;
}

/**
 * The transport key pair, kept in the key store with its private half wrapped by the master key.
 * The first instance to start makes it; every other one loads the same pair, so a value sealed to
 * the public key any instance handed out opens on all of them.
 */
export class StoredTransportKeys extends TransportKeys {
  private constructor(
    private readonly view: TransportKeyView,
    private readonly privateKey: KeyObject,
  ) {
    super();
  }

  static async load(keyStore: KeyStore, keyProvider: KeyProvider): Promise<StoredTransportKeys> {
    const row =
      (await readTransportKey(keyStore)) ?? (await createTransportKey(keyStore, keyProvider));
    const der = await keyProvider.unwrap(
      { masterKeyId: row.master_key_id, wrapped: row.wrapped_private_key },
      TRANSPORT_KEY_CONTEXT,
    );
    try {
      return new StoredTransportKeys(
        { keyId: row.key_id, publicKey: row.public_key },
        createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
      );
    } finally {
      der.fill(0);
    }
  }

  async publicKey(): Promise<TransportKeyView> {
    return this.view;
  }

  async open(sealed: TransportSealedValue): Promise<string> {
    try {
      return openFromGateway(sealed, { keyId: this.view.keyId, privateKey: this.privateKey });
    } catch {
      // Whatever failed, the answer is the same and says nothing about the input.
      throw new ServiceError(
        'validation',
        'invalid_sealed_value',
        "The value was not sealed to this vault's transport key, or was altered on the way",
      );
    }
  }
}

async function readTransportKey({
  dataSource,
  transportKeys,
}: KeyStore): Promise<TransportKeyRow | undefined> {
  const [row] = (await dataSource.query(
    `SELECT key_id, public_key, wrapped_private_key, master_key_id FROM ${transportKeys}`,
  )) as TransportKeyRow[];
  return row;
}

/** Instances starting together each offer a pair; the table holds one row, the first inserted. */
async function createTransportKey(
  keyStore: KeyStore,
  keyProvider: KeyProvider,
): Promise<TransportKeyRow> {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  try {
    const { masterKeyId, wrapped } = await keyProvider.wrap(der, TRANSPORT_KEY_CONTEXT);
    await keyStore.dataSource.query(
      `INSERT INTO ${keyStore.transportKeys} (key_id, public_key, wrapped_private_key, master_key_id)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [newId(), publicKey.export({ format: 'jwk' }).x, wrapped, masterKeyId],
    );
  } finally {
    der.fill(0);
  }
  return (await readTransportKey(keyStore)) as TransportKeyRow;
}
