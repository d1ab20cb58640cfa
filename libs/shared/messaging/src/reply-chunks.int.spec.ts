import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { startNatsServer, type RunningNatsServer } from '@orgplane/testing';
import { ServiceError } from '@orgplane/util';
import { filter, NEVER } from 'rxjs';
import { createLogger } from './logger';
import { inChunks } from './reply-chunks';
import { startService } from './service-bootstrap';
import { ServiceClient } from './service-client';

jest.setTimeout(30_000);

/** A reply of about `megabytes` MB of JSON, with text outside ASCII and characters JSON escapes. */
const bigReply = (megabytes: number) => ({
  data: Array.from({ length: megabytes * 10_000 }, (_, index) => ({
    id: `item-${index}`,
    note: `"quoted" \\ back-slashed, ünïcödé ✓ 🙂 line\nbreak ${'x'.repeat(40)}`,
  })),
  position: '12:34',
});

@Controller()
class ChunkedHandlers {
  @MessagePattern('chunks.v1.big')
  big(@Payload() request: { megabytes: number }) {
    return inChunks(bigReply(request.megabytes));
  }

  @MessagePattern('chunks.v1.bigInOneMessage')
  bigInOneMessage() {
    return bigReply(2);
  }

  @MessagePattern('chunks.v1.small')
  small() {
    return inChunks({ data: { hello: 'world' } });
  }

  /** loses its second chunk, as a slow consumer's connection would */
  @MessagePattern('chunks.v1.lossy')
  lossy() {
    return inChunks(bigReply(2)).pipe(filter((chunk) => chunk.index !== 1));
  }

  @MessagePattern('chunks.v1.failing')
  failing() {
    throw new ServiceError('not_found', 'not_found', 'Nothing here');
  }

  @MessagePattern('chunks.v1.silent')
  silent() {
    return NEVER;
  }

  @MessagePattern('chunks.v1.unchunked')
  unchunked() {
    return { data: 'one message' };
  }
}

@Module({ controllers: [ChunkedHandlers] })
class ChunkedModule {}

const logger = createLogger('chunks-test', 'silent');
const context = { requestId: 'r-1', correlationId: 'r-1', causationId: 'r-1' };
let nats: RunningNatsServer;
let service: INestMicroservice;
let client: ServiceClient;

beforeAll(async () => {
  nats = await startNatsServer();
  service = await startService({
    service: 'chunks',
    module: ChunkedModule,
    healthSubject: 'chunks.v1.health',
    natsUrl: nats.url,
    logger,
    shutdownGraceMs: 0,
  });
  client = new ServiceClient({
    natsUrl: nats.url,
    name: 'chunks-client',
    logger,
    defaultTimeoutMs: 5000,
  });
  await client.onModuleInit();
});

afterAll(async () => {
  await client?.onApplicationShutdown();
  await service?.close();
  await nats?.stop();
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (error: ServiceError) => error,
  );

describe('replies in chunks over a NATS server of 1 MB max_payload', () => {
  it('puts a reply of several megabytes back together as it was', async () => {
    const expected = bigReply(3);
    expect(JSON.stringify(expected).length).toBeGreaterThan(3_000_000);

    const reply = await client.requestInChunks('chunks.v1.big', { megabytes: 3 }, context);

    expect(reply).toEqual(expected);
  });

  it('is one chunk for a small reply', async () => {
    expect(await client.requestInChunks('chunks.v1.small', {}, context)).toEqual({
      data: { hello: 'world' },
    });
  });

  it('without chunks, a reply larger than one message never arrives', async () => {
    const error = await failure(
      client.request('chunks.v1.bigInOneMessage', {}, context, { timeoutMs: 1000 }),
    );

    expect(error.code).toBe('service_timeout');
  });

  it('a missing chunk fails the request at once, naming it', async () => {
    const started = Date.now();
    const error = await failure(client.requestInChunks('chunks.v1.lossy', {}, context));

    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({ kind: 'unavailable', code: 'reply_incomplete' });
    expect(error.message).toContain('chunk 1 of');
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('refuses a reply larger than the cap', async () => {
    const error = await failure(
      client.requestInChunks('chunks.v1.big', { megabytes: 3 }, context, {
        maxReplyBytes: 1_000_000,
      }),
    );

    expect(error).toMatchObject({ kind: 'unavailable', code: 'reply_too_large' });
  });

  it("passes the service's error on", async () => {
    const error = await failure(client.requestInChunks('chunks.v1.failing', {}, context));

    expect(error).toMatchObject({ kind: 'not_found', code: 'not_found', message: 'Nothing here' });
  });

  it('times out when the reply does not end in time', async () => {
    const error = await failure(
      client.requestInChunks('chunks.v1.silent', {}, context, { timeoutMs: 300 }),
    );

    expect(error.code).toBe('service_timeout');
  });

  it('refuses a reply that is not in chunks', async () => {
    const error = await failure(client.requestInChunks('chunks.v1.unchunked', {}, context));

    expect(error).toMatchObject({ code: 'reply_incomplete' });
  });
});
