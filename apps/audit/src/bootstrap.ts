import type { INestMicroservice } from '@nestjs/common';
import { AUDIT_SUBJECTS } from '@orgplane/contracts';
import { ensureDatabase } from '@orgplane/event-store';
import { createLogger, startService } from '@orgplane/messaging';
import { serveReadModelOperations } from '@orgplane/projections';
import { AppModule } from './app.module';
import { loadAuditConfig } from './audit.config';

/**
 * Starts one audit instance: the audit log over every service's events, and history replay.
 * `logDestination` (default stdout) lets a test read what the service logs.
 */
export async function startAudit(
  env: NodeJS.ProcessEnv = process.env,
  logDestination?: Parameters<typeof createLogger>[2],
): Promise<INestMicroservice> {
  const config = loadAuditConfig(env);
  await ensureDatabase(config.DATABASE_URL);
  const logger = createLogger('audit', config.LOG_LEVEL, logDestination);
  return startService({
    service: 'audit',
    module: AppModule.register(config, logger),
    healthSubject: AUDIT_SUBJECTS.health,
    natsUrl: config.NATS_URL,
    logger,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    serveOperations: serveReadModelOperations,
  });
}
