export { EncryptionModule } from './encryption.module';
export { KEY_PROVIDER, type KeyProvider } from './key-provider';
export { SecretCipher, TransportKeys, type ValueRef } from './secret-cipher';
