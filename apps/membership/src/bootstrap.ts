import type { INestMicroservice } from '@nestjs/common';
import { MEMBERSHIP_SUBJECTS } from '@orgplane/contracts';
import { ensureDatabase } from '@orgplane/event-store';
import { createLogger, startService } from '@orgplane/messaging';
import { AppModule } from './app.module';
import { loadMembershipConfig } from './membership.config';

/** Starts one membership instance: organizations, members, roles. */
export async function startMembership(
  env: NodeJS.ProcessEnv = process.env,
): Promise<INestMicroservice> {
  const config = loadMembershipConfig(env);
  await ensureDatabase(config.DATABASE_URL);
  return startService({
    service: 'membership',
    module: AppModule.register(config),
    healthSubject: MEMBERSHIP_SUBJECTS.health,
    natsUrl: config.NATS_URL,
    logger: createLogger('membership', config.LOG_LEVEL),
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
  });
}
