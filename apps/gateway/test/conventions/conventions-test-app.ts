import {
  Injectable,
  Module,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, NatsBroadcast, PinoNestLogger } from '@orgplane/messaging';
import { newRequestId, systemClock, type Clock } from '@orgplane/util';
import { z } from 'zod';
import { configureHttpPipeline } from '../../src/bootstrap';
import type { GatewayRequest } from '../../src/common/http-request-context';
import {
  conventionsConfigShape,
  type ConventionsConfig,
} from '../../src/conventions/conventions.config';
import { ConventionsModule } from '../../src/conventions/conventions.module';

/** Test requests name their caller in these headers; without them they are anonymous. */
export const TEST_CALLER_HEADERS = { userId: 'x-test-user', organizationId: 'x-test-org' };

/** Stands in for the AuthorizationGuard (an APP_GUARD too): records the caller the test names. */
@Injectable()
class TestCallerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<GatewayRequest>();
    const userId = request.headers[TEST_CALLER_HEADERS.userId];
    const organizationId = request.headers[TEST_CALLER_HEADERS.organizationId];
    if (typeof userId === 'string') {
      request.caller = {
        type: 'user',
        userId,
        ...(typeof organizationId === 'string' ? { organizationId } : {}),
      };
    }
    return true;
  }
}

@Module({})
class TestGatewayModule {
  static register(options: {
    broadcast: NatsBroadcast;
    config: ConventionsConfig & { REQUEST_TIMEOUT_MS: number };
    clock: Clock;
    controllers: Type[];
  }): DynamicModule {
    const logger = createLogger('gateway', 'silent');
    return {
      module: TestGatewayModule,
      imports: [
        {
          module: TestNatsModule,
          global: true,
          providers: [{ provide: NatsBroadcast, useValue: options.broadcast }],
          exports: [NatsBroadcast],
        },
        ConventionsModule.register({ config: options.config, logger, clock: options.clock }),
      ],
      controllers: options.controllers,
      providers: [{ provide: APP_GUARD, useClass: TestCallerGuard }],
    };
  }
}

@Module({})
class TestNatsModule {}

export interface TestGatewayOptions {
  natsUrl: string;
  controllers: Type[];
  config?: Partial<ConventionsConfig & { REQUEST_TIMEOUT_MS: number }>;
  clock?: Clock;
}

export interface TestGateway {
  app: NestFastifyApplication;
  close(): Promise<void>;
}

/**
 * A gateway with the conventions wired as createGateway and AppModule wire them, and the test's
 * controllers in place of the real ones.
 */
export async function startTestGateway({
  natsUrl,
  controllers,
  config = {},
  clock = systemClock,
}: TestGatewayOptions): Promise<TestGateway> {
  const logger = createLogger('gateway', 'silent');
  const broadcast = await NatsBroadcast.connect({ natsUrl, name: 'gateway', logger });
  const adapter = new FastifyAdapter({ genReqId: () => newRequestId() });
  const app = await NestFactory.create<NestFastifyApplication>(
    TestGatewayModule.register({
      broadcast,
      config: {
        ...z.object(conventionsConfigShape).parse({}),
        REQUEST_TIMEOUT_MS: 5000,
        ...config,
      },
      clock,
      controllers,
    }),
    adapter,
    { logger: new PinoNestLogger(logger), bodyParser: false },
  );
  configureHttpPipeline(app, logger);
  await app.init();
  await adapter.getInstance().ready();
  return {
    app,
    async close() {
      await app.close();
      // Draining needs the server; a test that stopped it closes the connection outright.
      await broadcast.close().catch(() => broadcast.connection.close());
    },
  };
}

/** A clock the test moves by hand. */
export function manualClock(start: Date): Clock & { advance(ms: number): void } {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance: (ms) => void (now += ms),
  };
}
