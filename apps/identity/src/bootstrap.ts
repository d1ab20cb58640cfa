import type { INestMicroservice } from '@nestjs/common';
import { IDENTITY_SUBJECTS } from '@orgplane/contracts';
import { ensureDatabase } from '@orgplane/event-store';
import { createLogger, startService } from '@orgplane/messaging';
import { serveReadModelOperations } from '@orgplane/projections';
import { AppModule } from './app.module';
import { loadIdentityConfig } from './identity.config';

/**
 * Starts one identity instance: users, sign-in (local and WorkOS), session tokens and their keys,
 * WorkOS webhooks and the mirror of organizations to WorkOS.
 */
export async function startIdentity(
  env: NodeJS.ProcessEnv = process.env,
): Promise<INestMicroservice> {
  const config = loadIdentityConfig(env);
  await ensureDatabase(config.DATABASE_URL);
  const logger = createLogger('identity', config.LOG_LEVEL);
  return startService({
    service: 'identity',
    module: AppModule.register(config, logger),
    healthSubject: IDENTITY_SUBJECTS.health,
    natsUrl: config.NATS_URL,
    logger,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    serveOperations: serveReadModelOperations,
  });
}
