import { createEventStore, keepClientErrorsFromCrashing } from '@orgplane/event-store';
import { runService } from '@orgplane/messaging';
import { ConfigurationError } from '@orgplane/util';
import { DataSource } from 'typeorm';
import { ConfiguredKeyProvider } from './encryption/configured-key-provider';
import { KeyStore } from './encryption/key-store';
import { verifyMasterKeys } from './encryption/master-key-check';
import { rotateMasterKey } from './encryption/master-key-rotation';
import { loadSecretsVaultConfig } from './secrets-vault.config';

/**
 * `npm run secrets:rotate-master-key`, an operator's command. A rotation, without downtime:
 * 1. restart the vault instances with the new key as SECRETS_MASTER_KEY and the old one in
 *    SECRETS_RETIRED_MASTER_KEYS (they open keys wrapped by either, and wrap new ones with the new);
 * 2. run this command with the same settings: it rewraps every stored key with the new master key,
 *    touching no secret, and prints how many it rewrapped;
 * 3. restart the instances without the old key.
 */
async function main(): Promise<void> {
  const config = loadSecretsVaultConfig();
  // Never onto a generated development key: that one lives in the database it would protect.
  if (!config.SECRETS_MASTER_KEY) {
    throw new ConfigurationError(
      'secrets-vault: SECRETS_MASTER_KEY must name the master key to rewrap with',
    );
  }
  const keyProvider = ConfiguredKeyProvider.fromBase64(
    config.SECRETS_MASTER_KEY,
    config.SECRETS_RETIRED_MASTER_KEYS,
  );
  const dataSource = await new DataSource({
    type: 'postgres',
    url: config.DATABASE_URL,
    extra: { onConnect: keepClientErrorsFromCrashing },
  }).initialize();
  const events = await createEventStore({
    eventStoreUrl: config.EVENTSTORE_URL,
    databaseUrl: config.DATABASE_URL,
    schema: config.EVENTSTORE_SCHEMA,
  });
  try {
    const keyStore = await KeyStore.open(dataSource, config.KEY_STORE_SCHEMA);
    await verifyMasterKeys(keyStore, keyProvider);
    const summary = await rotateMasterKey({ keyStore, keyProvider, events });
    console.log(
      `Rewrapped ${summary.dataKeys} organization data key(s) and ${summary.transportKeys} ` +
        `transport key(s) with master key ${summary.masterKeyId} in ${summary.durationMs} ms`,
    );
  } finally {
    await events.close();
    await dataSource.destroy();
  }
}

runService(main);
