import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, PinoNestLogger } from '@orgplane/messaging';
import { newRequestId } from '@orgplane/util';
import { AppModule } from './app.module';
import { EnvelopeInterceptor } from './common/envelope.interceptor';
import { HttpErrorFilter } from './common/http-error.filter';
import { traceRequests } from './common/access-log';
import { refuseMalformedUrl } from './common/framework-errors';
import { acceptJsonBodiesOnly } from './common/json-body';
import { loadGatewayConfig } from './gateway.config';

/**
 * Builds the HTTP API (Fastify). Every request gets a fresh request id: `request.id`, the
 * `X-Request-Id` response header, `meta.requestId` or `error.requestId` in the body, the
 * `requestId` of its log lines and of the NATS requests it makes.
 */
export async function createGateway(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ app: NestFastifyApplication; port: number; host: string }> {
  const config = loadGatewayConfig(env);
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const adapter = new FastifyAdapter({
    genReqId: () => newRequestId(),
    bodyLimit: config.BODY_LIMIT_BYTES,
    frameworkErrors: refuseMalformedUrl,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(config, logger),
    adapter,
    { logger: new PinoNestLogger(logger), bodyParser: false },
  );
  traceRequests(adapter.getInstance(), logger);
  acceptJsonBodiesOnly(adapter.getInstance());
  app.useGlobalFilters(new HttpErrorFilter(logger));
  app.useGlobalInterceptors(new EnvelopeInterceptor());
  // Exit 0 once the shutdown has run, so a supervisor can tell a clean stop from a crash.
  app.enableShutdownHooks([], { useProcessExit: true });
  return { app, port: config.PORT, host: config.HOST };
}

export async function startGateway(
  env: NodeJS.ProcessEnv = process.env,
): Promise<NestFastifyApplication> {
  const { app, port, host } = await createGateway(env);
  await app.listen(port, host);
  return app;
}
