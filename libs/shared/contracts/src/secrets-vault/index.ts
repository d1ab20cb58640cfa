export * from './secrets-vault.subjects';
export * from './secret-name';
export * from './secret.messages';
export * from './secret.events';
export * from './transport-seal';
