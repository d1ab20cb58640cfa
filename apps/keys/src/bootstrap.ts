import type { INestMicroservice } from '@nestjs/common';
import { KEYS_SUBJECTS } from '@orgplane/contracts';
import { createLogger, startService } from '@orgplane/messaging';
import { AppModule } from './app.module';
import { loadKeysConfig } from './keys.config';

/** Starts one keys instance: API keys and SSH keys. */
export async function startKeys(env: NodeJS.ProcessEnv = process.env): Promise<INestMicroservice> {
  const config = loadKeysConfig(env);
  return startService({
    service: 'keys',
    module: AppModule,
    healthSubject: KEYS_SUBJECTS.health,
    natsUrl: config.NATS_URL,
    logger: createLogger('keys', config.LOG_LEVEL),
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
  });
}
