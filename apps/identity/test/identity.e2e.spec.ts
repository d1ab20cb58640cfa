import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { INestMicroservice } from '@nestjs/common';
import {
  IDENTITY_SUBJECTS,
  userStreamName,
  type Jwks,
  type SignInReply,
} from '@orgplane/contracts';
import { PostgresEventStore } from '@orgplane/event-store';
import { createLogger, ServiceClient, type RequestContext } from '@orgplane/messaging';
import {
  dropSchema,
  startNatsServer,
  testDatabaseUrl,
  uniqueSchemaName,
  type RunningNatsServer,
} from '@orgplane/testing';
import { newRequestId, ServiceError } from '@orgplane/util';
import { startIdentity } from '../src/bootstrap';

jest.setTimeout(30_000);

const url = testDatabaseUrl();
const eventStoreSchema = uniqueSchemaName('identity_e2e_events');
const readModelSchema = uniqueSchemaName('identity_e2e_read');
const env = {
  DATABASE_URL: url,
  DATABASE_POOL_MAX: '3',
  EVENTSTORE_SCHEMA: eventStoreSchema,
  READ_MODEL_SCHEMA: readModelSchema,
  LOG_LEVEL: 'silent',
  SHUTDOWN_GRACE_MS: '0',
};

let nats: RunningNatsServer;
let client: ServiceClient;
let store: PostgresEventStore;
const running: INestMicroservice[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
  client = new ServiceClient({
    natsUrl: nats.url,
    defaultTimeoutMs: 5000,
    name: 'identity-e2e',
    logger: createLogger('identity-e2e', 'silent'),
  });
  await client.onModuleInit();
});

afterAll(async () => {
  await Promise.all(running.map((instance) => instance.close()));
  await client?.onApplicationShutdown();
  await store?.close();
  await nats?.stop();
  await dropSchema(url, readModelSchema);
  await dropSchema(url, eventStoreSchema);
});

async function start(extraEnv: Record<string, string> = {}): Promise<INestMicroservice> {
  const instance = await startIdentity({ ...env, NATS_URL: nats.url, ...extraEnv });
  running.push(instance);
  return instance;
}

async function stop(instance: INestMicroservice): Promise<void> {
  running.splice(running.indexOf(instance), 1);
  await instance.close();
}

function context(): RequestContext {
  const requestId = newRequestId();
  return { requestId, correlationId: requestId, causationId: requestId };
}

const jwks = async () => (await client.request<Jwks>(IDENTITY_SUBJECTS.jwks, {}, context())).data;
const signIn = (email: string) =>
  client.request<SignInReply>(IDENTITY_SUBJECTS.devSignIn, { email }, context());

describe('identity', () => {
  it('shares one generated signing key between instances when none is configured', async () => {
    const first = await start();
    const published = await jwks();
    expect(published.keys).toHaveLength(1);

    await start();
    await stop(first);
    expect(await jwks()).toEqual(published);
  });

  it('registers a user once when first sign-ins race', async () => {
    const replies = await Promise.all(
      Array.from({ length: 8 }, () => signIn('Racing@Example.com')),
    );
    const userIds = new Set(replies.map((reply) => reply.data.user.id));
    expect(userIds.size).toBe(1);
    store = await PostgresEventStore.create({
      connectionString: url,
      schema: eventStoreSchema,
      poolSize: 1,
    });
    const [userId] = userIds;
    const events = await store.readStream(userStreamName(userId));
    expect(events.map((event) => event.type)).toEqual(['UserSignedUp']);
    expect(events[0].data).toMatchObject({ email: 'racing@example.com', provider: 'development' });
  });

  it('in production, signs with the configured key and refuses development sign-in', async () => {
    await Promise.all([...running].map(stop));
    const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    await start({ NODE_ENV: 'production', IDENTITY_SIGNING_KEY: signingKey });

    const { x, y } = createPublicKey(signingKey).export({ format: 'jwk' });
    expect((await jwks()).keys).toEqual([
      { kty: 'EC', crv: 'P-256', x, y, kid: expect.any(String), alg: 'ES256', use: 'sig' },
    ]);
    const refusal = await signIn('ada@example.com').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ServiceError);
    expect(refusal).toMatchObject({ kind: 'forbidden', code: 'development_sign_in_disabled' });
  });
});
