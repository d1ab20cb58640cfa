import type { INestMicroservice } from '@nestjs/common';
import { RESOURCES_SUBJECTS } from '@orgplane/contracts';
import { ensureDatabase } from '@orgplane/event-store';
import { createLogger, startService } from '@orgplane/messaging';
import { serveReadModelOperations } from '@orgplane/projections';
import { AppModule } from './app.module';
import { loadResourcesConfig } from './resources.config';

/**
 * Starts one resources instance: projects, workspaces, the resource registry and authorization
 * decisions for the platform's services. `logDestination` (default stdout) lets a test read what
 * the service logs.
 */
export async function startResources(
  env: NodeJS.ProcessEnv = process.env,
  logDestination?: Parameters<typeof createLogger>[2],
): Promise<INestMicroservice> {
  const config = loadResourcesConfig(env);
  await ensureDatabase(config.DATABASE_URL);
  const logger = createLogger('resources', config.LOG_LEVEL, logDestination);
  return startService({
    service: 'resources',
    module: AppModule.register(config, logger),
    healthSubject: RESOURCES_SUBJECTS.health,
    natsUrl: config.NATS_URL,
    logger,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    serveOperations: serveReadModelOperations,
  });
}
