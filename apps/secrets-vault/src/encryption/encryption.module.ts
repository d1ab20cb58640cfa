import { Module } from '@nestjs/common';
import { EVENT_STORE } from '@orgplane/event-sourcing';
import type { EventStore } from '@orgplane/event-store';
import { DataSource } from 'typeorm';
import { SECRETS_VAULT_CONFIG, type SecretsVaultConfig } from '../secrets-vault.config';
import { loadConfiguredKeyProvider } from './configured-key-provider';
import { EnvelopeSecretCipher } from './envelope-secret-cipher';
import { KEY_PROVIDER, type KeyProvider } from './key-provider';
import { KeyStore } from './key-store';
import { verifyMasterKeys } from './master-key-check';
import { SecretCipher, TransportKeys } from './secret-cipher';
import { StoredTransportKeys } from './stored-transport-keys';

/**
 * The vault's encryption: SecretCipher and TransportKeys for the handlers. Its providers open the
 * key store and check the master keys against it while the service starts, so a wrong master key
 * stops the service before it answers anything.
 */
@Module({
  providers: [
    {
      provide: KeyStore,
      inject: [SECRETS_VAULT_CONFIG, DataSource],
      useFactory: (config: SecretsVaultConfig, dataSource: DataSource) =>
        KeyStore.open(dataSource, config.KEY_STORE_SCHEMA),
    },
    {
      provide: KEY_PROVIDER,
      inject: [SECRETS_VAULT_CONFIG, KeyStore],
      useFactory: async (config: SecretsVaultConfig, keyStore: KeyStore) => {
        const keyProvider = await loadConfiguredKeyProvider(config, keyStore);
        await verifyMasterKeys(keyStore, keyProvider);
        return keyProvider;
      },
    },
    {
      provide: SecretCipher,
      inject: [KeyStore, KEY_PROVIDER, EVENT_STORE],
      useFactory: (keyStore: KeyStore, keyProvider: KeyProvider, events: EventStore) =>
        new EnvelopeSecretCipher(keyStore, keyProvider, events),
    },
    {
      provide: TransportKeys,
      inject: [KeyStore, KEY_PROVIDER],
      useFactory: (keyStore: KeyStore, keyProvider: KeyProvider) =>
        StoredTransportKeys.load(keyStore, keyProvider),
    },
  ],
  exports: [KEY_PROVIDER, SecretCipher, TransportKeys],
})
export class EncryptionModule {}
