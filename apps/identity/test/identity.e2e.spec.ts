import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { INestMicroservice } from '@nestjs/common';
import {
  IDENTITY_SUBJECTS,
  userStreamName,
  type Caller,
  type Jwks,
  type MeView,
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
  LOG_LEVEL: 'error',
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

function context(caller?: Caller): RequestContext {
  const requestId = newRequestId();
  return { requestId, correlationId: requestId, causationId: requestId, caller };
}

const jwks = async () => (await client.request<Jwks>(IDENTITY_SUBJECTS.jwks, {}, context())).data;
const signIn = (email: string, names: { firstName?: string; lastName?: string } = {}) =>
  client.request<SignInReply>(IDENTITY_SUBJECTS.devSignIn, { email, ...names }, context());

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

  it('vouches for the email of a local user, and keeps the names of the first sign-in', async () => {
    const { data } = await signIn('Lin@Example.com', { firstName: 'Lin' });
    await signIn('lin@example.com', { firstName: 'Other' });
    const me = await client.request<MeView>(
      IDENTITY_SUBJECTS.getMe,
      {},
      context({ type: 'user', userId: data.user.id }),
    );
    expect(me.data).toEqual({
      id: data.user.id,
      email: 'lin@example.com',
      firstName: 'Lin',
      lastName: null,
      profilePictureUrl: null,
      emailVerified: true,
      isAdmin: false,
      accessGranted: true,
      tutorialCompleted: false,
      activeOrganizationId: null,
    });
    const anonymous = await client
      .request(IDENTITY_SUBJECTS.getMe, {}, context())
      .catch((error: unknown) => error);
    expect(anonymous).toMatchObject({ kind: 'unauthorized' });
  });

  it('without WorkOS settings, answers its subjects 404 provider_not_configured', async () => {
    const requests: [string, object][] = [
      [IDENTITY_SUBJECTS.workosAuthorize, {}],
      [IDENTITY_SUBJECTS.workosCallback, { code: 'code', state: 'state' }],
      [IDENTITY_SUBJECTS.refreshSession, { sealedSession: 'sealed' }],
      [IDENTITY_SUBJECTS.logout, { sealedSession: 'sealed' }],
      [IDENTITY_SUBJECTS.workosWebhook, { payload: '{}', signature: 't=1, v1=00' }],
    ];
    for (const [subject, payload] of requests) {
      const refusal = await client
        .request(subject, payload, context())
        .catch((error: unknown) => error);
      expect(refusal).toMatchObject({ kind: 'not_found', code: 'provider_not_configured' });
    }
    expect((await jwks()).workos).toBeUndefined();
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
