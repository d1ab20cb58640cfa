import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { IDENTITY_SUBJECTS } from '@orgplane/contracts';
import { createLogger, startService } from '@orgplane/messaging';
import { startNatsServer, type RunningNatsServer } from '@orgplane/testing';
import { HTTP_STATUS_OF, ServiceError, type ErrorKind } from '@orgplane/util';
import { createGateway } from '../src/bootstrap';

/**
 * Stands in for the identity service on `identity.v1.devSignIn` and fails as the body asks, so
 * every error kind can be sent through real NATS and the gateway.
 */
@Controller()
class FailingHandlers {
  @MessagePattern(IDENTITY_SUBJECTS.devSignIn)
  async fail(@Payload() request: { kind?: ErrorKind; crash?: boolean; hang?: boolean }) {
    if (request.hang) return new Promise(() => undefined);
    if (request.crash) throw new Error('connection to 10.0.0.7 refused (internal detail)');
    throw new ServiceError(request.kind!, `some_${request.kind}`, `Failed as ${request.kind}`, {
      hint: 'kept',
    });
  }
}

@Module({ controllers: [FailingHandlers] })
class FailingModule {}

let nats: RunningNatsServer;
let service: INestMicroservice;
let gateway: NestFastifyApplication;

beforeAll(async () => {
  nats = await startNatsServer();
  service = await startService({
    service: 'identity',
    module: FailingModule,
    healthSubject: IDENTITY_SUBJECTS.health,
    natsUrl: nats.url,
    logger: createLogger('identity', 'silent'),
    shutdownGraceMs: 0,
  });
  ({ app: gateway } = await createGateway({
    NATS_URL: nats.url,
    LOG_LEVEL: 'silent',
    REQUEST_TIMEOUT_MS: '300',
  }));
  await gateway.init();
  await gateway.getHttpAdapter().getInstance().ready();
});

afterAll(async () => {
  await gateway?.close();
  await service?.close();
  await nats?.stop();
});

const signIn = (payload: object) =>
  gateway.inject({ method: 'POST', url: '/v1/auth/dev/sign-in', payload });

describe('service errors through NATS to HTTP', () => {
  it.each(Object.entries(HTTP_STATUS_OF))(
    '%s becomes %i with its code, message and details',
    async (kind, status) => {
      const response = await signIn({ kind });
      expect(response.statusCode).toBe(status);
      expect(response.json()).toEqual({
        error: {
          code: `some_${kind}`,
          message: `Failed as ${kind}`,
          requestId: response.headers['x-request-id'],
          details: { hint: 'kept' },
        },
      });
      if (status === 401) expect(response.headers['www-authenticate']).toBe('Bearer');
    },
  );

  it('an unexpected failure is a 503 that reveals nothing of it', async () => {
    const response = await signIn({ crash: true });
    expect(response.statusCode).toBe(503);
    expect(response.json().error).toMatchObject({ code: 'internal_error' });
    expect(response.body).not.toContain('10.0.0.7');
  });

  it('a service that does not answer in time is a 503 service_timeout', async () => {
    const started = Date.now();
    const response = await signIn({ hang: true });
    expect(response.statusCode).toBe(503);
    expect(response.json().error.code).toBe('service_timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('a service with no instance running is a 503 service_unavailable, at once', async () => {
    // A token signed by a key not seen yet sends the gateway to identity.v1.jwks, which no one
    // answers here.
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: 'new' })).toString('base64url');
    const response = await gateway.inject({
      method: 'GET',
      url: '/v1/organizations/3fa85f64-5717-4562-b3fc-2c963f66afa6',
      headers: { authorization: `Bearer ${header}.e30.c2ln` },
    });
    expect(response.statusCode).toBe(503);
    expect(response.json().error.code).toBe('service_unavailable');
  });
});
