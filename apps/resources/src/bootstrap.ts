import type { INestMicroservice } from '@nestjs/common';
import { RESOURCES_SUBJECTS } from '@orgplane/contracts';
import { createLogger, startService } from '@orgplane/messaging';
import { AppModule } from './app.module';
import { loadResourcesConfig } from './resources.config';

/** Starts one resources instance: projects, workspaces, the resource registry and authorization decisions. */
export async function startResources(
  env: NodeJS.ProcessEnv = process.env,
): Promise<INestMicroservice> {
  const config = loadResourcesConfig(env);
  return startService({
    service: 'resources',
    module: AppModule,
    healthSubject: RESOURCES_SUBJECTS.health,
    natsUrl: config.NATS_URL,
    logger: createLogger('resources', config.LOG_LEVEL),
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
  });
}
