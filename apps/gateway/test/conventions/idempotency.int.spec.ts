import { createHash } from 'node:crypto';
import { Body, Controller, HttpCode, Post, SetMetadata } from '@nestjs/common';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { ServiceReply } from '@orgplane/contracts';
import { startNatsServer, type RunningNatsServer } from '@orgplane/testing';
import { ServiceError, type Clock } from '@orgplane/util';
import {
  IDEMPOTENCY_BUCKET,
  IDEMPOTENCY_TTL_MS,
} from '../../src/conventions/idempotency/idempotency.store';
import { ROUTE_METADATA } from '../../src/routes/route.decorator';
import { startTestGateway, TEST_CALLER_HEADERS, type TestGateway } from './conventions-test-app';

/** What the handlers did, across every app instance of a test. */
const runs: string[] = [];
/** A test sets it to hold the handler until it lets go. */
let gate: Promise<void> | undefined;
let failuresLeft = 0;

@Controller('test')
class WritesController {
  @Post('things')
  @HttpCode(201)
  // What the interceptor reads of the catalog: this route acts in the caller's organization.
  @SetMetadata(ROUTE_METADATA, {
    access: { kind: 'organization', from: 'context', roles: ['admin', 'member'] },
  })
  async create(@Body() body: { name: string }): Promise<ServiceReply<object>> {
    runs.push(body.name);
    await gate;
    if (failuresLeft > 0) {
      failuresLeft--;
      throw ServiceError.unavailable('Try again');
    }
    return { data: { name: body.name, run: runs.length }, position: `${runs.length}:0` };
  }

  /** Like `apiKeys.create`: the reply holds a secret shown once. */
  @Post('secrets')
  @HttpCode(201)
  @SetMetadata(ROUTE_METADATA, {
    access: { kind: 'organization', from: 'context', roles: ['admin', 'member'] },
    secretInReply: true,
  })
  async createSecret(@Body() body: { name: string }): Promise<ServiceReply<object>> {
    runs.push(body.name);
    return {
      data: { id: `secret-${runs.length}`, key: `${SECRET_MARK}-${runs.length}` },
      message: 'Store it now',
    };
  }
}

/** what the secrets the test controller hands out start with */
const SECRET_MARK = 'shown-once';

const USER_A = '00000000-0000-4000-8000-00000000000a';
const USER_B = '00000000-0000-4000-8000-00000000000b';
const ORG_1 = '00000000-0000-4000-8000-000000000001';
const ORG_2 = '00000000-0000-4000-8000-000000000002';

let keyCounter = 0;
/** a key no other test uses */
const freshKey = () => `key-${Date.now()}-${++keyCounter}`;

function post(
  gateway: TestGateway,
  payload: object,
  {
    key,
    user = USER_A,
    org,
    url = '/test/things',
  }: { key?: string; user?: string | null; org?: string; url?: string } = {},
) {
  return gateway.app.inject({
    method: 'POST',
    url,
    payload,
    headers: {
      ...(key !== undefined ? { 'idempotency-key': key } : {}),
      ...(user ? { [TEST_CALLER_HEADERS.userId]: user } : {}),
      ...(org ? { [TEST_CALLER_HEADERS.organizationId]: org } : {}),
    },
  });
}

let nats: RunningNatsServer;
let skewMs = 0;
/** the real time, which a test can push forward */
const clock: Clock = { now: () => new Date(Date.now() + skewMs) };
let first: TestGateway;
let second: TestGateway;

beforeAll(async () => {
  nats = await startNatsServer();
  // Two instances sharing one NATS, as two gateway processes would.
  [first, second] = await Promise.all(
    [1, 2].map(() =>
      startTestGateway({ natsUrl: nats.url, controllers: [WritesController], clock }),
    ),
  );
});

afterAll(async () => {
  await first?.close();
  await second?.close();
  await nats?.stop();
});

beforeEach(() => {
  runs.length = 0;
  gate = undefined;
  failuresLeft = 0;
  skewMs = 0;
});

describe('Idempotency-Key on POST', () => {
  it('answers a repeat with the first response, and runs the handler once', async () => {
    const key = freshKey();
    const original = await post(first, { name: 'a', tags: ['x'] }, { key });
    const repeat = await post(first, { tags: ['x'], name: 'a' }, { key }); // same body, other key order
    expect(original.statusCode).toBe(201);
    expect(repeat.statusCode).toBe(201);
    expect(repeat.json()).toEqual(original.json());
    expect(repeat.headers['idempotency-replayed']).toBe('true');
    expect(original.headers['idempotency-replayed']).toBeUndefined();
    expect(repeat.headers['x-consistency-position']).toBe(
      original.headers['x-consistency-position'],
    );
    // the body is the first response's, request id included; the header is the repeat's own
    expect(repeat.json().meta.requestId).toBe(original.headers['x-request-id']);
    expect(repeat.headers['x-request-id']).not.toBe(original.headers['x-request-id']);
    expect(runs).toEqual(['a']);
  });

  it('answers the same on another gateway instance', async () => {
    const key = freshKey();
    const original = await post(first, { name: 'b' }, { key });
    const repeat = await post(second, { name: 'b' }, { key });
    expect(repeat.statusCode).toBe(201);
    expect(repeat.json()).toEqual(original.json());
    expect(runs).toEqual(['b']);
  });

  it('refuses the key with another body: 422 idempotency_key_reused', async () => {
    const key = freshKey();
    await post(first, { name: 'c' }, { key });
    const reused = await post(second, { name: 'other' }, { key });
    expect(reused.statusCode).toBe(422);
    expect(reused.json().error.code).toBe('idempotency_key_reused');
    expect(runs).toEqual(['c']);
  });

  it.each([
    ['one instance', () => [first, first]],
    ['two instances', () => [first, second]],
  ])(
    'runs concurrent duplicates once (%s); the others get 409 idempotency_in_progress',
    async (_, instances) => {
      const key = freshKey();
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      const [a, b] = instances();
      const pending = [post(a, { name: 'd' }, { key }), post(b, { name: 'd' }, { key })];
      const inProgress = await Promise.race(pending);
      expect(inProgress.statusCode).toBe(409);
      expect(inProgress.json().error.code).toBe('idempotency_in_progress');
      open();
      const statuses = (await Promise.all(pending)).map((response) => response.statusCode);
      expect(statuses.sort()).toEqual([201, 409]);
      expect(runs).toEqual(['d']);
      expect((await post(b, { name: 'd' }, { key })).headers['idempotency-replayed']).toBe('true');
    },
  );

  it('frees the key when the first attempt fails, so a retry runs', async () => {
    const key = freshKey();
    failuresLeft = 1;
    const failed = await post(first, { name: 'e' }, { key });
    expect(failed.statusCode).toBe(503);
    const retried = await post(second, { name: 'e' }, { key });
    expect(retried.statusCode).toBe(201);
    expect(retried.headers['idempotency-replayed']).toBeUndefined();
    expect(runs).toEqual(['e', 'e']);
  });

  it('lets a retry take over a key whose first request never finished (its instance died)', async () => {
    const key = freshKey();
    let open!: () => void;
    gate = new Promise((resolve) => (open = resolve));
    const stuck = post(first, { name: 'f' }, { key });
    await until(() => runs.length === 1);
    expect((await post(second, { name: 'f' }, { key })).statusCode).toBe(409);

    skewMs = 61_000; // past IDEMPOTENCY_IN_FLIGHT_TIMEOUT_MS
    const takeover = post(second, { name: 'f' }, { key });
    await until(() => runs.length === 2);
    open();
    expect((await takeover).statusCode).toBe(201);
    expect((await stuck).statusCode).toBe(201);
    // The takeover's response is the one kept: the first request no longer held the claim.
    const repeat = await post(first, { name: 'f' }, { key });
    expect(repeat.json()).toEqual((await takeover).json());
    expect(runs).toEqual(['f', 'f']);
  });

  it('keeps keys apart per caller, and refuses one sent again for another organization', async () => {
    const key = freshKey();
    const original = await post(first, { name: 'g' }, { key, org: ORG_1 });
    const otherUser = await post(first, { name: 'g' }, { key, user: USER_B, org: ORG_1 });
    expect(otherUser.statusCode).toBe(201);
    expect(otherUser.headers['idempotency-replayed']).toBeUndefined();
    const otherOrg = await post(first, { name: 'g' }, { key, org: ORG_2 });
    expect(otherOrg.statusCode).toBe(422);
    expect(otherOrg.json().error.code).toBe('idempotency_key_reused');
    const sameOrg = await post(first, { name: 'g' }, { key, org: ORG_1 });
    expect(sameOrg.json()).toEqual(original.json());
    expect(runs).toEqual(['g', 'g']);
  });

  it('ignores the key on requests without a caller (sign-in and the like)', async () => {
    const key = freshKey();
    await post(first, { name: 'h' }, { key, user: null });
    await post(first, { name: 'h' }, { key, user: null });
    expect(runs).toEqual(['h', 'h']);
  });

  it.each(['', 'has space', 'x'.repeat(256), 'ключ'])('refuses the key %j: 400', async (key) => {
    const response = await post(first, { name: 'i' }, { key });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details.fields['Idempotency-Key']).toHaveLength(1);
    expect(runs).toEqual([]);
  });

  it('runs a request whose reply holds a secret once, and keeps no reply: a repeat is a 409 naming what was made', async () => {
    const key = freshKey();
    const url = '/test/secrets';
    const original = await post(first, { name: 's' }, { key, url });
    expect(original.statusCode).toBe(201);
    expect(original.json()).toMatchObject({
      data: { id: 'secret-1', key: `${SECRET_MARK}-1` },
      message: 'Store it now',
    });
    for (const gateway of [first, second]) {
      const repeat = await post(gateway, { name: 's' }, { key, url });
      expect(repeat.statusCode).toBe(409);
      expect(repeat.json().error).toMatchObject({
        code: 'idempotency_replay_unavailable',
        details: { id: 'secret-1' },
      });
      expect(repeat.body).not.toContain(SECRET_MARK);
    }
    expect((await post(first, { name: 'other' }, { key, url })).statusCode).toBe(422);
    expect(runs).toEqual(['s']);

    const connection = await connect({ servers: nats.url });
    try {
      const bucket = await new Kvm(connection).open(IDEMPOTENCY_BUCKET);
      const records: string[] = [];
      for await (const recordKey of await bucket.keys()) {
        records.push((await bucket.get(recordKey))!.string());
      }
      expect(records.join('\n')).toContain('secret-1');
      expect(records.join('\n')).not.toContain(SECRET_MARK);
    } finally {
      await connection.close();
    }
  });

  it('keeps a keyed fingerprint of the body, never a plain hash a guess could be checked against', async () => {
    const fingerprints = async () => {
      const connection = await connect({ servers: nats.url });
      try {
        const bucket = await new Kvm(connection).open(IDEMPOTENCY_BUCKET);
        const found: string[] = [];
        for await (const recordKey of await bucket.keys()) {
          found.push(JSON.parse((await bucket.get(recordKey))!.string()).fingerprint);
        }
        return found;
      } finally {
        await connection.close();
      }
    };
    const before = await fingerprints();
    expect(
      (await post(first, { name: 'guessable' }, { key: freshKey(), org: ORG_1 })).statusCode,
    ).toBe(201);
    const added = (await fingerprints()).filter((fingerprint) => !before.includes(fingerprint));
    expect(added).toHaveLength(1);
    const plainHash = createHash('sha256')
      .update(JSON.stringify({ body: { name: 'guessable' }, organizationId: ORG_1 }))
      .digest('hex');
    expect(added[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(added[0]).not.toBe(plainHash);
  });

  it('keeps records in a bucket that forgets them after 24 hours', async () => {
    const connection = await connect({ servers: nats.url });
    try {
      const status = await (await new Kvm(connection).open(IDEMPOTENCY_BUCKET)).status();
      expect(status.ttl).toBe(IDEMPOTENCY_TTL_MS);
      expect(status.ttl).toBe(24 * 60 * 60 * 1000);
    } finally {
      await connection.close();
    }
  });
});

describe('Idempotency-Key without its store', () => {
  let ownNats: RunningNatsServer;
  let gateway: TestGateway;

  beforeAll(async () => {
    ownNats = await startNatsServer();
    gateway = await startTestGateway({
      natsUrl: ownNats.url,
      controllers: [WritesController],
      config: { REQUEST_TIMEOUT_MS: 300 },
    });
    await ownNats.stop();
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('answers 503 and runs nothing, rather than risk writing twice', async () => {
    const response = await post(gateway, { name: 'j' }, { key: freshKey() });
    expect(response.statusCode).toBe(503);
    expect(response.json().error.code).toBe('idempotency_unavailable');
    expect(runs).toEqual([]);
    // without a key the request still runs
    expect((await post(gateway, { name: 'j' })).statusCode).toBe(201);
  });
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
