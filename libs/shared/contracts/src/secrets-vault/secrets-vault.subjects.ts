/** Request/reply subjects the secrets-vault service answers (queue group `secrets-vault`). */
export const SECRETS_VAULT_SUBJECTS = {
  setSecret: 'secrets-vault.v1.setSecret',
  listSecrets: 'secrets-vault.v1.listSecrets',
  getSecret: 'secrets-vault.v1.getSecret',
  revealSecret: 'secrets-vault.v1.revealSecret',
  deleteSecret: 'secrets-vault.v1.deleteSecret',
  undeleteSecret: 'secrets-vault.v1.undeleteSecret',
  destroySecret: 'secrets-vault.v1.destroySecret',
  listSecretVersions: 'secrets-vault.v1.listSecretVersions',
  listSecretAccess: 'secrets-vault.v1.listSecretAccess',
  /** platform services only: MESSAGE_HEADERS.serviceCredential names the caller */
  resolveSecret: 'secrets-vault.v1.resolveSecret',
  /** the gateway seals values to this key before a write crosses NATS */
  getTransportKey: 'secrets-vault.v1.getTransportKey',
  health: 'secrets-vault.v1.health',
} as const;
