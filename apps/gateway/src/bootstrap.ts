import { NestFactory, Reflector } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, PinoNestLogger, type Logger } from '@orgplane/messaging';
import type { DestinationStream } from 'pino';
import { newRequestId } from '@orgplane/util';
import { AppModule } from './app.module';
import { EnvelopeInterceptor } from './common/envelope.interceptor';
import { HttpErrorFilter } from './common/http-error.filter';
import { traceRequests } from './common/access-log';
import { refuseMalformedUrl } from './common/framework-errors';
import { acceptJsonBodiesOnly } from './common/json-body';
import { IdempotencyInterceptor } from './conventions/idempotency/idempotency.interceptor';
import { RateLimitGuard } from './conventions/rate-limit/rate-limit.guard';
import { loadGatewayConfig } from './gateway.config';

/**
 * Builds the HTTP API (Fastify). Every request gets a fresh request id: `request.id`, the
 * `X-Request-Id` response header, `meta.requestId` or `error.requestId` in the body, the
 * `requestId` of its log lines and of the NATS requests it makes. Log lines go to stdout, or to
 * `logDestination` (tests read what the gateway logs).
 */
export async function createGateway(
  env: NodeJS.ProcessEnv = process.env,
  logDestination?: DestinationStream,
): Promise<{ app: NestFastifyApplication; port: number; host: string }> {
  const config = loadGatewayConfig(env);
  const logger = createLogger('gateway', config.LOG_LEVEL, logDestination);
  const adapter = new FastifyAdapter({
    genReqId: () => newRequestId(),
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Secret names are path segments of up to 128 characters, and the vault normalizes the raw
    // name (up to 1,000 characters) itself; Fastify's default of 100 would refuse valid ones.
    routerOptions: { maxParamLength: 1000 },
    frameworkErrors: refuseMalformedUrl,
    trustProxy: config.TRUST_PROXY.length > 0 ? config.TRUST_PROXY : false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(config, logger),
    adapter,
    { logger: new PinoNestLogger(logger), bodyParser: false },
  );
  configureHttpPipeline(app, logger);
  // Exit 0 once the shutdown has run, so a supervisor can tell a clean stop from a crash.
  app.enableShutdownHooks([], { useProcessExit: true });
  return { app, port: config.PORT, host: config.HOST };
}

/**
 * What every request passes through, in order: its id and access log line, JSON-only bodies, the
 * AuthorizationGuard (an APP_GUARD, so it runs before global guards and names the caller), the
 * rate limit, Idempotency-Key (the outermost interceptor: it keeps and replays the enveloped body),
 * the envelope, and the error envelope for whatever fails.
 */
export function configureHttpPipeline(app: NestFastifyApplication, logger: Logger): void {
  const fastify = app.getHttpAdapter().getInstance();
  traceRequests(fastify, logger);
  acceptJsonBodiesOnly(fastify);
  app.useGlobalFilters(new HttpErrorFilter(logger));
  app.useGlobalGuards(app.get(RateLimitGuard));
  app.useGlobalInterceptors(
    app.get(IdempotencyInterceptor),
    new EnvelopeInterceptor(app.get(Reflector)),
  );
}

export async function startGateway(
  env: NodeJS.ProcessEnv = process.env,
): Promise<NestFastifyApplication> {
  const { app, port, host } = await createGateway(env);
  await app.listen(port, host);
  return app;
}
