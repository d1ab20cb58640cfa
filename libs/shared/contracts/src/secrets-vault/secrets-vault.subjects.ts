/** Request/reply subjects the secrets-vault service answers (queue group `secrets-vault`). */
export const SECRETS_VAULT_SUBJECTS = {
  health: 'secrets-vault.v1.health',
} as const;
