import { Controller, Get } from '@nestjs/common';
import { startNatsServer, type RunningNatsServer } from '@orgplane/testing';
import { ServiceError } from '@orgplane/util';
import {
  manualClock,
  startTestGateway,
  TEST_CALLER_HEADERS,
  type TestGateway,
} from './conventions-test-app';

@Controller('test')
class ProbeController {
  @Get('ok')
  ok() {
    return { data: 'ok' };
  }

  @Get('conflict')
  conflict() {
    throw ServiceError.conflict('busy', 'Busy');
  }
}

const USER_A = '00000000-0000-4000-8000-00000000000a';
const USER_B = '00000000-0000-4000-8000-00000000000b';
const clock = manualClock(new Date('2030-01-01T00:00:00Z'));
/** unix seconds */
const windowEnd = () => String((Math.floor(clock.now().getTime() / 60_000) + 1) * 60);

let nats: RunningNatsServer;
let gateway: TestGateway;

beforeAll(async () => {
  nats = await startNatsServer();
  gateway = await startTestGateway({
    natsUrl: nats.url,
    controllers: [ProbeController],
    config: { RATE_LIMIT_PER_MINUTE: 3, RATE_LIMIT_ANONYMOUS_PER_MINUTE: 2 },
    clock,
  });
});

afterAll(async () => {
  await gateway?.close();
  await nats?.stop();
});

// Each test starts in a window of its own, 10 seconds in: the window ends 50 seconds later.
beforeEach(() => clock.advance(60_000 - (clock.now().getTime() % 60_000) + 10_000));

const get = (url: string, { user, address }: { user?: string; address?: string } = {}) =>
  gateway.app.inject({
    method: 'GET',
    url,
    headers: user ? { [TEST_CALLER_HEADERS.userId]: user } : {},
    remoteAddress: address,
  });

const limitHeaders = (response: Awaited<ReturnType<typeof get>>) => ({
  limit: response.headers['x-ratelimit-limit'],
  remaining: response.headers['x-ratelimit-remaining'],
  reset: response.headers['x-ratelimit-reset'],
});

describe('rate limits', () => {
  it('tells every response the limit, what is left and when the window ends', async () => {
    const responses = [];
    for (let i = 0; i < 3; i++) responses.push(await get('/test/ok', { user: USER_A }));
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 200]);
    expect(responses.map(limitHeaders)).toEqual(
      ['2', '1', '0'].map((remaining) => ({ limit: '3', remaining, reset: windowEnd() })),
    );
  });

  it('answers 429 rate_limited with Retry-After past the limit, and again in the next window', async () => {
    for (let i = 0; i < 3; i++) await get('/test/ok', { user: USER_A });
    const refused = await get('/test/ok', { user: USER_A });
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual({
      error: {
        code: 'rate_limited',
        message: expect.any(String),
        requestId: refused.headers['x-request-id'],
      },
    });
    expect(refused.headers['retry-after']).toBe('50');
    expect(limitHeaders(refused)).toMatchObject({ limit: '3', remaining: '0' });

    clock.advance(50_000);
    const again = await get('/test/ok', { user: USER_A });
    expect(again.statusCode).toBe(200);
    expect(limitHeaders(again)).toMatchObject({ limit: '3', remaining: '2' });
  });

  it('puts the headers on errors raised after the limit too', async () => {
    const response = await get('/test/conflict', { user: USER_A });
    expect(response.statusCode).toBe(409);
    expect(limitHeaders(response)).toMatchObject({ limit: '3', remaining: '2' });
  });

  it('counts each user apart', async () => {
    for (let i = 0; i < 3; i++) await get('/test/ok', { user: USER_A });
    expect((await get('/test/ok', { user: USER_A })).statusCode).toBe(429);
    const other = await get('/test/ok', { user: USER_B });
    expect(other.statusCode).toBe(200);
    expect(limitHeaders(other).remaining).toBe('2');
  });

  it('counts requests without credentials per client address, with their own limit', async () => {
    const first = await get('/test/ok', { address: '192.0.2.1' });
    expect(limitHeaders(first)).toMatchObject({ limit: '2', remaining: '1' });
    await get('/test/ok', { address: '192.0.2.1' });
    expect((await get('/test/ok', { address: '192.0.2.1' })).statusCode).toBe(429);
    expect((await get('/test/ok', { address: '192.0.2.2' })).statusCode).toBe(200);
    // a signed-in caller from the same address is counted as itself
    expect((await get('/test/ok', { user: USER_A, address: '192.0.2.1' })).statusCode).toBe(200);
  });
});
