import { baseConfigShape } from '@orgplane/messaging';
import { loadConfig } from '@orgplane/util';
import { z } from 'zod';

export const secretsVaultConfigSchema = z.object(baseConfigShape);
export type SecretsVaultConfig = z.infer<typeof secretsVaultConfigSchema>;

export function loadSecretsVaultConfig(env: NodeJS.ProcessEnv = process.env): SecretsVaultConfig {
  return loadConfig('secrets-vault', secretsVaultConfigSchema, env);
}
