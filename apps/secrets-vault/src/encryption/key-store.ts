import { qualifiedTable, runSchemaDdl } from '@orgplane/projections';
import type { DataSource } from 'typeorm';

/**
 * The vault's wrapped keys, in a schema of their own (KEY_STORE_SCHEMA). These tables are the
 * only copy of the keys: they are not read models, nothing rebuilds them from events, and
 * deleting a row here is what makes the ciphertexts kept elsewhere (events, backups) unreadable.
 */
export class KeyStore {
  /** one per organization; a destroyed one keeps its row, with no key, so none is made again */
  readonly dataKeys: string;
  /** one per sealed value, wrapped by its organization's data key */
  readonly valueKeys: string;
  /** the single transport key pair of every vault instance */
  readonly transportKeys: string;

  private constructor(
    readonly dataSource: DataSource,
    readonly schema: string,
  ) {
    this.dataKeys = qualifiedTable(schema, 'data_keys');
    this.valueKeys = qualifiedTable(schema, 'value_keys');
    this.transportKeys = qualifiedTable(schema, 'transport_keys');
  }

  /** Creates what is missing (several instances may start at once: the DDL lock orders them). */
  static async open(dataSource: DataSource, schema: string): Promise<KeyStore> {
    const store = new KeyStore(dataSource, schema);
    await runSchemaDdl(dataSource, schema, [
      `CREATE TABLE IF NOT EXISTS ${store.dataKeys} (
        organization_id uuid PRIMARY KEY,
        wrapped_key bytea,
        master_key_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        rewrapped_at timestamptz,
        destroyed_at timestamptz,
        CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL)),
        CHECK ((wrapped_key IS NULL) = (master_key_id IS NULL))
      )`,
      `CREATE INDEX IF NOT EXISTS data_keys_master_key_id ON ${store.dataKeys} (master_key_id)`,
      `CREATE TABLE IF NOT EXISTS ${store.valueKeys} (
        key_id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        secret_id uuid NOT NULL,
        version integer NOT NULL,
        wrapped_key bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX IF NOT EXISTS value_keys_secret_version ON ${store.valueKeys} (secret_id, version)`,
      `CREATE INDEX IF NOT EXISTS value_keys_organization ON ${store.valueKeys} (organization_id)`,
      `CREATE TABLE IF NOT EXISTS ${store.transportKeys} (
        key_id text PRIMARY KEY,
        public_key text NOT NULL,
        wrapped_private_key bytea NOT NULL,
        master_key_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
      // At most one row, whatever its id: the first instance to insert its pair wins.
      `CREATE UNIQUE INDEX IF NOT EXISTS transport_keys_single ON ${store.transportKeys} ((true))`,
    ]);
    return store;
  }
}
