import type { INestMicroservice } from '@nestjs/common';
import { SECRETS_VAULT_SUBJECTS } from '@orgplane/contracts';
import { createLogger, startService } from '@orgplane/messaging';
import { AppModule } from './app.module';
import { loadSecretsVaultConfig } from './secrets-vault.config';

/** Starts one secrets-vault instance: user-private and org-shared secrets. */
export async function startSecretsVault(
  env: NodeJS.ProcessEnv = process.env,
): Promise<INestMicroservice> {
  const config = loadSecretsVaultConfig(env);
  return startService({
    service: 'secrets-vault',
    module: AppModule,
    healthSubject: SECRETS_VAULT_SUBJECTS.health,
    natsUrl: config.NATS_URL,
    logger: createLogger('secrets-vault', config.LOG_LEVEL),
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
  });
}
