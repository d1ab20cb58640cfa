export * from './secrets-vault.subjects';
