import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { SealedSecretValue } from '@orgplane/contracts';
import { NO_STREAM, WrongExpectedRevisionError, type EventStore } from '@orgplane/event-store';
import { newId, ServiceError, systemClock, type Clock } from '@orgplane/util';
import { gcmOpen, gcmSeal, KEY_BYTES, unwrapKey, wrapKey } from './aes-gcm';
import { DataKeyCache } from './data-key-cache';
import { appendDataKeyEvent } from './data-key-events';
import type { KeyProvider } from './key-provider';
import type { KeyStore } from './key-store';
import { SecretCipher, type ValueRef } from './secret-cipher';

interface DataKeyRow {
  /** null once destroyed */
  wrapped_key: Buffer | null;
  master_key_id: string | null;
}

/** What a value and its value key are bound to: opened for any other secret or version, they fail. */
function valueAad({ organizationId, secretId, version }: ValueRef): string {
  return `${organizationId}/${secretId}/${version}`;
}

function organizationNotFound(): ServiceError {
  return new ServiceError(
    'not_found',
    'organization_not_found',
    'This organization was deleted: it can hold no secrets',
  );
}

function unrecoverable(): ServiceError {
  return new ServiceError(
    'not_found',
    'secret_unrecoverable',
    'This value can no longer be decrypted: its key was destroyed',
  );
}

/**
 * The SecretCipher of docs/adr/0010: envelope encryption with keys in the key store. Every value
 * gets a value key of its own, so destroying one version, one secret or a whole organization is
 * deleting key rows, and the ciphertexts in the event store turn to noise wherever they were
 * copied.
 */
export class EnvelopeSecretCipher extends SecretCipher {
  private readonly dataKeys = new DataKeyCache({ ttlMs: 60_000, maxEntries: 1_000 });

  constructor(
    private readonly keyStore: KeyStore,
    private readonly keyProvider: KeyProvider,
    private readonly events: EventStore,
    private readonly clock: Clock = systemClock,
  ) {
    super();
  }

  async seal(ref: ValueRef, plaintext: string): Promise<SealedSecretValue> {
    const dataKey = await this.dataKeyForSealing(ref.organizationId);
    const aad = valueAad(ref);
    const valueKey = randomBytes(KEY_BYTES);
    const value = Buffer.from(plaintext, 'utf8');
    try {
      const wrappedValueKey = wrapKey(dataKey, valueKey, aad);
      const { nonce, ciphertext, tag } = gcmSeal(createSecretKey(valueKey), value, aad);
      const keyId = newId();
      await this.storeValueKey(keyId, ref, wrappedValueKey);
      return {
        keyId,
        nonce: nonce.toString('base64'),
        ciphertext: ciphertext.toString('base64'),
        tag: tag.toString('base64'),
      };
    } finally {
      valueKey.fill(0);
      value.fill(0);
    }
  }

  async open(ref: ValueRef, sealed: SealedSecretValue): Promise<string> {
    // One query for both keys: once either row is gone, nothing here can open the value, and the
    // cached data key is only reached while its row still exists.
    const [row] = (await this.keyStore.dataSource.query(
      `SELECT value_key.wrapped_key AS wrapped_value_key,
              data_key.wrapped_key, data_key.master_key_id
         FROM ${this.keyStore.valueKeys} AS value_key
         JOIN ${this.keyStore.dataKeys} AS data_key USING (organization_id)
        WHERE value_key.key_id = $1 AND value_key.organization_id = $2
          AND value_key.secret_id = $3 AND value_key.version = $4
          AND data_key.wrapped_key IS NOT NULL`,
      [sealed.keyId, ref.organizationId, ref.secretId, ref.version],
    )) as (DataKeyRow & { wrapped_value_key: Buffer })[];
    if (!row) throw unrecoverable();
    const dataKey =
      this.dataKeys.get(ref.organizationId) ?? (await this.unwrapDataKey(ref.organizationId, row));
    const aad = valueAad(ref);
    let valueKey: Buffer | undefined;
    let value: Buffer | undefined;
    try {
      valueKey = unwrapKey(dataKey, row.wrapped_value_key, aad);
      value = gcmOpen(
        createSecretKey(valueKey),
        {
          nonce: Buffer.from(sealed.nonce, 'base64'),
          ciphertext: Buffer.from(sealed.ciphertext, 'base64'),
          tag: Buffer.from(sealed.tag, 'base64'),
        },
        aad,
      );
      return value.toString('utf8');
    } catch {
      // Not the client's doing: the stored value or its key was altered. Worth a 500 and a look.
      throw new Error(
        `Version ${ref.version} of secret ${ref.secretId} failed authentication: ` +
          'its ciphertext or its value key was altered',
      );
    } finally {
      valueKey?.fill(0);
      value?.fill(0);
    }
  }

  async destroyValueKeys(secretId: string, versions: readonly number[]): Promise<void> {
    if (versions.length === 0) return;
    await this.keyStore.dataSource.query(
      `DELETE FROM ${this.keyStore.valueKeys} WHERE secret_id = $1 AND version = ANY($2::int[])`,
      [secretId, versions],
    );
  }

  async destroyOrganizationKey(organizationId: string): Promise<boolean> {
    const { dataKeys, valueKeys } = this.keyStore;
    const destroyed = await this.keyStore.dataSource.transaction(async (manager) => {
      // A row without a key even for an organization that never had one: no seal creates one later.
      const rows = (await manager.query(
        `INSERT INTO ${dataKeys} AS data_key (organization_id, destroyed_at) VALUES ($1, $2)
         ON CONFLICT (organization_id) DO UPDATE
           SET wrapped_key = NULL, master_key_id = NULL, destroyed_at = EXCLUDED.destroyed_at
           WHERE data_key.destroyed_at IS NULL
         RETURNING organization_id`,
        [organizationId, this.clock.now()],
      )) as unknown[];
      await manager.query(`DELETE FROM ${valueKeys} WHERE organization_id = $1`, [organizationId]);
      return rows.length > 0;
    });
    this.dataKeys.delete(organizationId);
    return destroyed;
  }

  /**
   * The organization's data key, made on its first seal. A cached key may have been destroyed
   * since by another instance; storeValueKey checks that it was not.
   */
  private async dataKeyForSealing(organizationId: string): Promise<KeyObject> {
    const cached = this.dataKeys.get(organizationId);
    if (cached) return cached;
    const row = await this.readDataKey(organizationId);
    return row ? this.unwrapDataKey(organizationId, row) : this.createDataKey(organizationId);
  }

  /**
   * Concurrent first seals on several instances each make a key; the first row inserted wins and
   * the others use it. Only the winner records the creation.
   */
  private async createDataKey(organizationId: string): Promise<KeyObject> {
    const key = randomBytes(KEY_BYTES);
    try {
      const { masterKeyId, wrapped } = await this.keyProvider.wrap(key, organizationId);
      const createdAt = this.clock.now();
      const inserted = (await this.keyStore.dataSource.query(
        `INSERT INTO ${this.keyStore.dataKeys} (organization_id, wrapped_key, master_key_id, created_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (organization_id) DO NOTHING
         RETURNING organization_id`,
        [organizationId, wrapped, masterKeyId, createdAt],
      )) as unknown[];
      if (inserted.length === 0) {
        return this.unwrapDataKey(organizationId, await this.readDataKey(organizationId));
      }
      await this.recordCreation(organizationId, masterKeyId, createdAt);
      const dataKey = createSecretKey(key);
      this.dataKeys.set(organizationId, dataKey);
      return dataKey;
    } finally {
      key.fill(0);
    }
  }

  /** A data key is created once per organization: a stream that already exists keeps its record. */
  private async recordCreation(organizationId: string, masterKeyId: string, createdAt: Date) {
    try {
      await appendDataKeyEvent(
        this.events,
        {
          type: 'DataKeyCreated',
          data: { organizationId, masterKeyId, createdAt: createdAt.toISOString() },
        },
        { expectedRevision: NO_STREAM },
      );
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
    }
  }

  private async readDataKey(organizationId: string): Promise<DataKeyRow | undefined> {
    const [row] = (await this.keyStore.dataSource.query(
      `SELECT wrapped_key, master_key_id FROM ${this.keyStore.dataKeys} WHERE organization_id = $1`,
      [organizationId],
    )) as DataKeyRow[];
    return row;
  }

  private async unwrapDataKey(
    organizationId: string,
    row: DataKeyRow | undefined,
  ): Promise<KeyObject> {
    if (!row?.wrapped_key || !row.master_key_id) throw organizationNotFound();
    const key = await this.keyProvider.unwrap(
      { masterKeyId: row.master_key_id, wrapped: row.wrapped_key },
      organizationId,
    );
    try {
      const dataKey = createSecretKey(key);
      this.dataKeys.set(organizationId, dataKey);
      return dataKey;
    } finally {
      key.fill(0);
    }
  }

  /**
   * In the statement that checks, under a share lock, that the data key still exists: a
   * destruction either waits for this row and deletes it, or has happened and the seal fails.
   * Each seal has a key id of its own, so two writers racing on one version never replace each
   * other's key; the loser's row is left behind unused, and is destroyed with its version.
   */
  private async storeValueKey(keyId: string, ref: ValueRef, wrappedKey: Buffer): Promise<void> {
    const stored = (await this.keyStore.dataSource.query(
      `WITH data_key AS (
         SELECT organization_id FROM ${this.keyStore.dataKeys}
          WHERE organization_id = $2 AND wrapped_key IS NOT NULL
          FOR SHARE
       )
       INSERT INTO ${this.keyStore.valueKeys} (key_id, organization_id, secret_id, version, wrapped_key, created_at)
       SELECT $1, organization_id, $3, $4, $5, $6 FROM data_key
       RETURNING key_id`,
      [keyId, ref.organizationId, ref.secretId, ref.version, wrappedKey, this.clock.now()],
    )) as unknown[];
    if (stored.length === 0) {
      this.dataKeys.delete(ref.organizationId);
      throw organizationNotFound();
    }
  }
}
