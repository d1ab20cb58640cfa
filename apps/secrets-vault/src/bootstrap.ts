import type { INestMicroservice } from '@nestjs/common';
import { SECRETS_VAULT_SUBJECTS } from '@orgplane/contracts';
import { ensureDatabase } from '@orgplane/event-store';
import { createLogger, startService } from '@orgplane/messaging';
import { serveReadModelOperations } from '@orgplane/projections';
import { AppModule } from './app.module';
import { loadSecretsVaultConfig } from './secrets-vault.config';

/**
 * Starts one secrets-vault instance: user-private and org-shared secrets. `logDestination`
 * (default stdout) lets a test read what the service logs.
 */
export async function startSecretsVault(
  env: NodeJS.ProcessEnv = process.env,
  logDestination?: Parameters<typeof createLogger>[2],
): Promise<INestMicroservice> {
  const config = loadSecretsVaultConfig(env);
  await ensureDatabase(config.DATABASE_URL);
  const logger = createLogger('secrets-vault', config.LOG_LEVEL, logDestination);
  return startService({
    service: 'secrets-vault',
    module: AppModule.register(config, logger),
    healthSubject: SECRETS_VAULT_SUBJECTS.health,
    natsUrl: config.NATS_URL,
    logger,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    serveOperations: serveReadModelOperations,
  });
}
