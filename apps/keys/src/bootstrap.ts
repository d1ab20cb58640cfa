import type { INestMicroservice } from '@nestjs/common';
import { KEYS_SUBJECTS } from '@orgplane/contracts';
import { ensureDatabase } from '@orgplane/event-store';
import { createLogger, startService } from '@orgplane/messaging';
import { serveReadModelOperations } from '@orgplane/projections';
import { AppModule } from './app.module';
import { loadKeysConfig } from './keys.config';

/**
 * Starts one keys instance: API keys and SSH keys. `logDestination` (default stdout) lets a test
 * read what the service logs.
 */
export async function startKeys(
  env: NodeJS.ProcessEnv = process.env,
  logDestination?: Parameters<typeof createLogger>[2],
): Promise<INestMicroservice> {
  const config = loadKeysConfig(env);
  await ensureDatabase(config.DATABASE_URL);
  const logger = createLogger('keys', config.LOG_LEVEL, logDestination);
  return startService({
    service: 'keys',
    module: AppModule.register(config, logger),
    healthSubject: KEYS_SUBJECTS.health,
    natsUrl: config.NATS_URL,
    logger,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    serveOperations: serveReadModelOperations,
  });
}
