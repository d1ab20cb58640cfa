import type { INestMicroservice } from '@nestjs/common';
import { IDENTITY_SUBJECTS } from '@orgplane/contracts';
import { ensureDatabase } from '@orgplane/event-store';
import { createLogger, startService } from '@orgplane/messaging';
import { AppModule } from './app.module';
import { loadIdentityConfig } from './identity.config';

/** Starts one identity instance: users, sign-in, session tokens and their keys. */
export async function startIdentity(
  env: NodeJS.ProcessEnv = process.env,
): Promise<INestMicroservice> {
  const config = loadIdentityConfig(env);
  await ensureDatabase(config.DATABASE_URL);
  return startService({
    service: 'identity',
    module: AppModule.register(config),
    healthSubject: IDENTITY_SUBJECTS.health,
    natsUrl: config.NATS_URL,
    logger: createLogger('identity', config.LOG_LEVEL),
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
  });
}
