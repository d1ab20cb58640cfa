import { Module, type DynamicModule } from '@nestjs/common';
import { NatsBroadcast, type Logger } from '@orgplane/messaging';
import { systemClock, type Clock } from '@orgplane/util';
import type { GatewayConfig } from '../gateway.config';
import { ROUTES } from '../routes/route-catalog';
import { idempotencyFingerprintKeyOf, type ConventionsConfig } from './conventions.config';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { IdempotencyStore } from './idempotency/idempotency.store';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { OPENAPI_DOCUMENT } from './openapi/openapi.constants';
import { OpenApiController } from './openapi/openapi.controller';
import { FixedWindowRateLimiter } from './rate-limit/fixed-window-rate-limiter';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';

export interface ConventionsOptions {
  config: ConventionsConfig & Pick<GatewayConfig, 'REQUEST_TIMEOUT_MS'>;
  logger: Logger;
  /** tests set the time */
  clock?: Clock;
}

/**
 * The HTTP API's cross-cutting conventions: rate limits, Idempotency-Key and the OpenAPI document.
 * It exports the guard and the interceptor rather than registering them, so the app decides their
 * order among the others (the RateLimitGuard after the AuthorizationGuard, the
 * IdempotencyInterceptor outside the EnvelopeInterceptor). Needs NatsBroadcast from the app.
 */
@Module({})
export class ConventionsModule {
  static register({ config, logger, clock = systemClock }: ConventionsOptions): DynamicModule {
    return {
      module: ConventionsModule,
      controllers: [OpenApiController],
      providers: [
        { provide: OPENAPI_DOCUMENT, useFactory: () => buildOpenApiDocument(ROUTES) },
        {
          provide: RateLimitGuard,
          useFactory: () =>
            new RateLimitGuard(new FixedWindowRateLimiter(clock), {
              perCallerPerMinute: config.RATE_LIMIT_PER_MINUTE,
              perAnonymousAddressPerMinute: config.RATE_LIMIT_ANONYMOUS_PER_MINUTE,
            }),
        },
        {
          provide: IdempotencyStore,
          inject: [NatsBroadcast],
          useFactory: (nats: NatsBroadcast) =>
            IdempotencyStore.open(nats.connection, {
              timeoutMs: config.REQUEST_TIMEOUT_MS,
              inFlightTimeoutMs: config.IDEMPOTENCY_IN_FLIGHT_TIMEOUT_MS,
              clock,
            }),
        },
        {
          provide: IdempotencyInterceptor,
          inject: [IdempotencyStore],
          useFactory: (store: IdempotencyStore) =>
            new IdempotencyInterceptor(store, logger, idempotencyFingerprintKeyOf(config)),
        },
      ],
      exports: [RateLimitGuard, IdempotencyInterceptor],
    };
  }
}
