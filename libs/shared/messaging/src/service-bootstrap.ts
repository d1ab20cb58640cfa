import type { NatsConnection } from '@nats-io/nats-core';
import {
  Controller,
  createParamDecorator,
  type DynamicModule,
  type INestApplicationContext,
  type INestMicroservice,
  type PreRequestHook,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  MessagePattern,
  Transport,
  type MicroserviceOptions,
  type NatsContext,
} from '@nestjs/microservices';
import { HEALTH_REPLY_STATUS, type HealthReply, type ServiceReply } from '@orgplane/contracts';
import { newId, ServiceError } from '@orgplane/util';
import { Observable, tap } from 'rxjs';
import { PinoNestLogger, type Logger } from './logger';
import {
  currentRequestContext,
  fromRequestHeaders,
  runInRequestContext,
  type RequestContext,
} from './request-context';
import { ServiceErrorFilter } from './service-error.filter';

/** Logged once a service instance takes requests, with its `instanceId`. */
export const SERVICE_LISTENING_MESSAGE = 'Service is listening on NATS';

export interface StartServiceOptions {
  /** the service's name: its NATS queue group, and the `service` of its log lines */
  service: string;
  /** the service's root module */
  module: Type | DynamicModule;
  healthSubject: string;
  natsUrl: string;
  logger: Logger;
  /** how long requests in flight get to finish after the service stops taking new ones */
  shutdownGraceMs: number;
  /**
   * What the instance also serves on its own connection once it listens: the read-model
   * operations of a service with read models (serveReadModelOperations, @orgplane/projections).
   * Handed in rather than imported here, so that processes which use messaging without read
   * models (the gateway) do not load TypeORM with it: about 5 MB of idle memory.
   */
  serveOperations?: (
    app: INestApplicationContext,
    connection: NatsConnection,
    instance: { service: string; instanceId: string },
  ) => unknown;
}

/**
 * Starts a service as a NestJS microservice on NATS. Every subject joins the queue group named
 * after the service, so the instances of a service share its requests. Each request runs in its
 * request context (read from the message headers); every failure leaves as a ServiceErrorBody; the
 * service answers `<service>.v1.health` with its instance id, and what `serveOperations` serves.
 * On SIGTERM or `close()` it
 * unsubscribes first, lets requests in flight finish, then closes its modules.
 */
export async function startService(options: StartServiceOptions): Promise<INestMicroservice> {
  const instanceId = newId();
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(
    {
      module: class ServiceRootModule {},
      imports: [options.module],
      controllers: [healthController(options.service, options.healthSubject, instanceId)],
    },
    {
      transport: Transport.NATS,
      options: {
        servers: options.natsUrl,
        queue: options.service,
        name: `${options.service}-${instanceId}`,
        gracefulShutdown: true,
        gracePeriod: options.shutdownGraceMs,
      },
      logger: new PinoNestLogger(options.logger),
    },
  );
  app.registerPreRequestHook(inRequestContext(options.logger));
  app.useGlobalFilters(new ServiceErrorFilter(options.logger));
  // Exit 0 once the shutdown has run, so a supervisor can tell a clean stop from a crash.
  app.enableShutdownHooks([], { useProcessExit: true });
  await app.listen();
  options.serveOperations?.(app, app.unwrap<NatsConnection>(), {
    service: options.service,
    instanceId,
  });
  // The subscriptions go to the server asynchronously: a flush round trip makes sure it has them,
  // so a request sent as soon as this resolves finds a responder.
  await app.unwrap<NatsConnection>().flush();
  options.logger.info({ instanceId, queue: options.service }, SERVICE_LISTENING_MESSAGE);
  return app;
}

/**
 * Runs each request in the context its headers carry (so every log line it writes has its ids),
 * and logs one line when it is done: subject, outcome (`ok` or the error code) and duration.
 */
function inRequestContext(logger: Logger): PreRequestHook {
  return (context, next) =>
    new Observable((subscriber) => {
      const nats = context.switchToRpc().getContext<NatsContext>();
      const requestContext = fromRequestHeaders(nats.getHeaders());
      const startedAt = performance.now();
      const handled = (outcome: string) =>
        runInRequestContext(requestContext, () =>
          logger.info(
            {
              subject: nats.getSubject(),
              outcome,
              durationMs: Math.round(performance.now() - startedAt),
            },
            'Request handled',
          ),
        );
      return runInRequestContext(requestContext, () =>
        next()
          .pipe(
            tap({
              complete: () => handled('ok'),
              error: (error: unknown) =>
                handled(error instanceof ServiceError ? error.code : 'internal_error'),
            }),
          )
          .subscribe(subscriber),
      );
    });
}

function healthController(service: string, subject: string, instanceId: string): Type {
  @Controller()
  class HealthController {
    @MessagePattern(subject)
    health(): ServiceReply<HealthReply> {
      return { data: { service, instanceId, status: HEALTH_REPLY_STATUS } };
    }
  }
  return HealthController;
}

/** `@RequestCtx()`: the RequestContext of the message being handled. */
export const RequestCtx = createParamDecorator((_: unknown): RequestContext => {
  const context = currentRequestContext();
  if (!context) throw new Error('@RequestCtx() used outside a request started by startService');
  return context;
});
