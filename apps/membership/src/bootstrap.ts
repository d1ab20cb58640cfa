import type { INestMicroservice } from '@nestjs/common';
import { MEMBERSHIP_SUBJECTS } from '@orgplane/contracts';
import { ensureDatabase } from '@orgplane/event-store';
import { createLogger, startService } from '@orgplane/messaging';
import { serveReadModelOperations } from '@orgplane/projections';
import { AppModule } from './app.module';
import { loadMembershipConfig } from './membership.config';

/** Starts one membership instance: organizations, members, roles, invitations. */
export async function startMembership(
  env: NodeJS.ProcessEnv = process.env,
): Promise<INestMicroservice> {
  const config = loadMembershipConfig(env);
  await ensureDatabase(config.DATABASE_URL);
  const logger = createLogger('membership', config.LOG_LEVEL);
  return startService({
    service: 'membership',
    module: AppModule.register(config, logger),
    healthSubject: MEMBERSHIP_SUBJECTS.health,
    natsUrl: config.NATS_URL,
    logger,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    serveOperations: serveReadModelOperations,
  });
}
