import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  IDENTITY_SUBJECTS,
  MEMBERSHIP_SUBJECTS,
  organizationEvents,
  organizationStreamName,
  userIdOfWorkosUser,
  userStreamName,
  type Caller,
  type Jwks,
  type LogoutReply,
  type MeView,
  type OrganizationEvent,
  type SessionSignInReply,
  type SyncMembershipRequest,
  type WorkosAuthorizeReply,
} from '@orgplane/contracts';
import {
  NO_STREAM,
  PostgresEventStore,
  type JsonObject,
  type Position,
} from '@orgplane/event-store';
import {
  createLogger,
  RequestCtx,
  ServiceClient,
  startService,
  type RequestContext,
} from '@orgplane/messaging';
import {
  dropSchema,
  eventually,
  startNatsServer,
  testDatabaseUrl,
  uniqueSchemaName,
  WorkosStandin,
  type RunningNatsServer,
} from '@orgplane/testing';
import { newId, newRequestId, ServiceError } from '@orgplane/util';
import { startIdentity } from '../src/bootstrap';

jest.setTimeout(30_000);

const url = testDatabaseUrl();
const eventStoreSchema = uniqueSchemaName('identity_workos_events');
const readModelSchema = uniqueSchemaName('identity_workos_read');
const cookiePassword = 'a cookie password of at least thirty-two characters';

let nats: RunningNatsServer;
let standin: WorkosStandin;
let client: ServiceClient;
let store: PostgresEventStore;
let membership: INestMicroservice;
const running: INestMicroservice[] = [];
const syncRequests: { request: SyncMembershipRequest; caller: Caller | undefined }[] = [];

/** Plays the membership service on the one subject identity asks it: syncMembership. */
@Controller()
class MembershipStandin {
  @MessagePattern(MEMBERSHIP_SUBJECTS.syncMembership)
  sync(@Payload() request: SyncMembershipRequest, @RequestCtx() context: RequestContext) {
    syncRequests.push({ request, caller: context.caller });
    return { data: { organizationId: request.organizationId, userId: request.userId } };
  }
}

@Module({ controllers: [MembershipStandin] })
class MembershipStandinModule {}

async function startInstance(): Promise<INestMicroservice> {
  const instance = await startIdentity({
    DATABASE_URL: url,
    DATABASE_POOL_MAX: '4',
    EVENTSTORE_SCHEMA: eventStoreSchema,
    READ_MODEL_SCHEMA: readModelSchema,
    LOG_LEVEL: 'silent',
    SHUTDOWN_GRACE_MS: '0',
    NATS_URL: nats.url,
    ...standin.environment('https://app.example.com/auth/callback', cookiePassword),
  });
  running.push(instance);
  return instance;
}

beforeAll(async () => {
  nats = await startNatsServer();
  standin = await WorkosStandin.start({
    apiKey: 'sk_test_orgplane',
    clientId: 'client_orgplane',
    webhookSecret: 'whsec_orgplane',
  });
  client = new ServiceClient({
    natsUrl: nats.url,
    defaultTimeoutMs: 10_000,
    name: 'identity-workos-e2e',
    logger: createLogger('identity-workos-e2e', 'silent'),
  });
  await client.onModuleInit();
  membership = await startService({
    service: 'membership',
    module: MembershipStandinModule,
    healthSubject: MEMBERSHIP_SUBJECTS.health,
    natsUrl: nats.url,
    logger: createLogger('membership', 'silent'),
    shutdownGraceMs: 0,
  });
  // Two instances: refreshes racing on different instances still refresh once.
  await Promise.all([startInstance(), startInstance()]);
  store = await PostgresEventStore.create({
    connectionString: url,
    schema: eventStoreSchema,
    poolSize: 1,
  });
});

afterAll(async () => {
  await Promise.all(running.map((instance) => instance.close()));
  await membership?.close();
  await client?.onApplicationShutdown();
  await store?.close();
  await standin?.stop();
  await nats?.stop();
  await dropSchema(url, readModelSchema);
  await dropSchema(url, eventStoreSchema);
});

function context(caller?: Caller): RequestContext {
  const requestId = newRequestId();
  return { requestId, correlationId: requestId, causationId: requestId, caller };
}

async function ask<Data>(subject: string, payload: object, caller?: Caller): Promise<Data> {
  return (await client.request<Data>(subject, payload, context(caller))).data;
}

function refusal(promise: Promise<unknown>): Promise<ServiceError> {
  return promise.then(
    () => {
      throw new Error('Expected a refusal');
    },
    (error: ServiceError) => error,
  );
}

async function signIn(workosUser: Parameters<WorkosStandin['signInCode']>[0]) {
  const { state } = await ask<WorkosAuthorizeReply>(IDENTITY_SUBJECTS.workosAuthorize, {});
  const code = standin.signInCode(workosUser);
  return client.request<SessionSignInReply>(
    IDENTITY_SUBJECTS.workosCallback,
    { code, state },
    context(),
  );
}

const eventTypes = async (streamName: string) =>
  (await store.readStream(streamName)).map((event) => event.type);

const ada = { id: 'user_01ADA', email: 'Ada@Example.com', firstName: 'Ada', lastName: null };
const adaId = userIdOfWorkosUser(ada.id);
let adaSession: string;

describe('WorkOS sign-in', () => {
  it('publishes our keys and the WorkOS keys, with the issuers WorkOS tokens carry', async () => {
    const jwks = await ask<Jwks>(IDENTITY_SUBJECTS.jwks, {});
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'EC', alg: 'ES256' })]);
    expect(jwks.workos).toEqual({
      issuers: expect.arrayContaining([standin.issuer]),
      keys: [standin.publicJwk],
    });
  });

  it('gives an AuthKit authorization URL with a state the callback checks', async () => {
    const { authorizationUrl, state } = await ask<WorkosAuthorizeReply>(
      IDENTITY_SUBJECTS.workosAuthorize,
      {},
    );
    const parsed = new URL(authorizationUrl);
    expect(`${parsed.origin}${parsed.pathname}`).toBe(
      `${standin.baseUrl}/user_management/authorize`,
    );
    expect(Object.fromEntries(parsed.searchParams)).toEqual({
      provider: 'authkit',
      client_id: 'client_orgplane',
      redirect_uri: 'https://app.example.com/auth/callback',
      response_type: 'code',
      state,
    });

    const forged = `${state.slice(0, -2)}xx`;
    const code = standin.signInCode({ email: 'mallory@example.com' });
    const error = await refusal(ask(IDENTITY_SUBJECTS.workosCallback, { code, state: forged }));
    expect(error).toMatchObject({ kind: 'validation', code: 'invalid_state' });
    expect(standin.count('POST', '/user_management/authenticate')).toBe(0);
  });

  it('registers the user at the first sign-in and answers a sealed session', async () => {
    const reply = await signIn(ada);
    expect(reply.position).toEqual(expect.any(String));
    expect(reply.data).toEqual({
      accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      tokenType: 'Bearer',
      expiresIn: expect.any(Number),
      user: { id: adaId, email: 'ada@example.com' },
      sealedSession: expect.stringMatching(/^Fe26\.2\*/),
    });
    expect(reply.data.expiresIn).toBeGreaterThan(290);
    adaSession = reply.data.sealedSession;

    const [signedUp] = await store.readStream(userStreamName(adaId));
    expect(signedUp).toMatchObject({
      type: 'UserSignedUp',
      data: {
        userId: adaId,
        email: 'ada@example.com',
        emailVerified: true,
        firstName: 'Ada',
        lastName: null,
        provider: 'workos',
        workosUserId: ada.id,
      },
    });

    const me = await ask<MeView>(IDENTITY_SUBJECTS.getMe, {}, { type: 'user', userId: adaId });
    expect(me).toEqual({
      id: adaId,
      email: 'ada@example.com',
      firstName: 'Ada',
      lastName: null,
      profilePictureUrl: null,
      emailVerified: true,
      isAdmin: false,
      accessGranted: true,
      tutorialCompleted: false,
      activeOrganizationId: null,
    });
  });

  it('records a profile changed at a later sign-in, and nothing when it is unchanged', async () => {
    await signIn({ ...ada, lastName: 'Lovelace' });
    await signIn({ ...ada, lastName: 'Lovelace' });
    expect(await eventTypes(userStreamName(adaId))).toEqual(['UserSignedUp', 'UserProfileUpdated']);

    const organizationId = newId();
    const me = await ask<MeView>(
      IDENTITY_SUBJECTS.getMe,
      {},
      { type: 'user', userId: adaId, organizationId, role: 'admin' },
    );
    expect(me).toMatchObject({
      lastName: 'Lovelace',
      isAdmin: true,
      activeOrganizationId: organizationId,
    });
  });

  it('refuses a code used before', async () => {
    const { state } = await ask<WorkosAuthorizeReply>(IDENTITY_SUBJECTS.workosAuthorize, {});
    const code = standin.signInCode(ada);
    await ask(IDENTITY_SUBJECTS.workosCallback, { code, state });
    const error = await refusal(ask(IDENTITY_SUBJECTS.workosCallback, { code, state }));
    expect(error).toMatchObject({ kind: 'unauthorized', code: 'sign_in_failed' });
  });

  it('refreshes a session into a new one', async () => {
    const refreshesBefore = standin.count('POST', '/user_management/authenticate', 'refresh_token');
    const refreshed = await ask<SessionSignInReply>(IDENTITY_SUBJECTS.refreshSession, {
      sealedSession: adaSession,
    });
    expect(refreshed.sealedSession).not.toBe(adaSession);
    expect(refreshed.user).toEqual({ id: adaId, email: 'ada@example.com' });
    expect(standin.count('POST', '/user_management/authenticate', 'refresh_token')).toBe(
      refreshesBefore + 1,
    );
    adaSession = refreshed.sealedSession;
  });

  it('gives racing refreshes of one session the same new session, refreshed once', async () => {
    const refreshesBefore = standin.count('POST', '/user_management/authenticate', 'refresh_token');
    const replies = await Promise.all(
      Array.from({ length: 6 }, () =>
        ask<SessionSignInReply>(IDENTITY_SUBJECTS.refreshSession, { sealedSession: adaSession }),
      ),
    );
    expect(new Set(replies.map((reply) => reply.sealedSession)).size).toBe(1);
    expect(new Set(replies.map((reply) => reply.accessToken)).size).toBe(1);
    expect(replies[0].sealedSession).not.toBe(adaSession);
    // WorkOS refresh tokens are single-use: a second refresh would have failed.
    expect(standin.count('POST', '/user_management/authenticate', 'refresh_token')).toBe(
      refreshesBefore + 1,
    );
    adaSession = replies[0].sealedSession;
  });

  it('refuses a session it did not seal', async () => {
    for (const sealedSession of ['garbage', `${adaSession.slice(0, -12)}AAAAAAAAAA~2`]) {
      const error = await refusal(ask(IDENTITY_SUBJECTS.refreshSession, { sealedSession }));
      expect(error).toMatchObject({ kind: 'unauthorized', code: 'invalid_session' });
    }
  });

  it('answers the WorkOS logout URL of the session', async () => {
    const { logoutUrl } = await ask<LogoutReply>(IDENTITY_SUBJECTS.logout, {
      sealedSession: adaSession,
    });
    const parsed = new URL(logoutUrl);
    expect(`${parsed.origin}${parsed.pathname}`).toBe(
      `${standin.baseUrl}/user_management/sessions/logout`,
    );
    expect(parsed.searchParams.get('session_id')).toMatch(/^session_/);
  });
});

describe('mirroring to WorkOS', () => {
  const organizationId = newId();
  const developerId = newId();

  async function append(event: OrganizationEvent, expectedRevision: bigint | typeof NO_STREAM) {
    const requestId = newRequestId();
    const { type, schemaVersion, data } = organizationEvents.encode(event);
    await store.append(
      organizationStreamName(organizationId),
      [
        {
          type,
          schemaVersion,
          data: data as JsonObject,
          metadata: {
            orgId: organizationId,
            actor: { type: 'user', id: adaId },
            requestId,
            correlationId: requestId,
            causationId: requestId,
          },
        },
      ],
      { expectedRevision },
    );
  }

  const membershipOf = (userId: string) =>
    [...standin.memberships.values()].filter((m) => m.userId === userId);

  it('creates the organization and its WorkOS members in WorkOS, once, across a restart', async () => {
    const at = new Date().toISOString();
    await append(
      {
        type: 'OrganizationCreated',
        data: {
          organizationId,
          name: 'Acme',
          slug: 'acme',
          plan: 'free',
          createdBy: adaId,
          createdAt: at,
        },
      },
      NO_STREAM,
    );
    await append(
      {
        type: 'MemberJoined',
        data: { organizationId, userId: adaId, role: 'admin', joinedAt: at },
      },
      0n,
    );
    // A user of the local provider has no WorkOS user: not mirrored.
    await append(
      {
        type: 'MemberJoined',
        data: { organizationId, userId: developerId, role: 'member', joinedAt: at },
      },
      1n,
    );
    const twin = await eventually(() => {
      const [found] = [...standin.organizations.values()].filter(
        (org) => org.externalId === organizationId,
      );
      expect(found).toMatchObject({ name: 'Acme' });
      expect(membershipOf(ada.id)).toEqual([
        expect.objectContaining({ organizationId: found.id, roleSlug: 'admin' }),
      ]);
      return found;
    });

    await Promise.all(running.splice(0).map((instance) => instance.close()));
    await startInstance();
    await append(
      {
        type: 'MemberRoleChanged',
        data: {
          organizationId,
          userId: adaId,
          role: 'member',
          previousRole: 'admin',
          changedBy: adaId,
          changedAt: at,
        },
      },
      2n,
    );
    await eventually(() =>
      expect(membershipOf(ada.id)).toEqual([
        expect.objectContaining({ organizationId: twin.id, roleSlug: 'member' }),
      ]),
    );
    expect(standin.count('POST', '/organizations')).toBe(1);
    expect(standin.count('POST', '/user_management/organization_memberships')).toBe(1);
    expect(standin.memberships.size).toBe(1);
  });

  it('applies membership webhooks through membership, without a caller', async () => {
    const [twin] = [...standin.organizations.values()];
    const [mirrored] = membershipOf(ada.id);
    const deliver = (event: string, data: object) => {
      const { body, signature } = standin.webhook(event, data as Record<string, unknown>);
      return ask(IDENTITY_SUBJECTS.workosWebhook, { payload: body, signature });
    };

    await deliver('organization_membership.updated', {
      ...standin.membershipJson({ ...mirrored, roleSlug: 'admin' }),
    });
    await deliver('organization_membership.deleted', standin.membershipJson(mirrored));
    // Not an organization of ours: ignored.
    await deliver('organization_membership.created', {
      ...standin.membershipJson(mirrored),
      organization_id: 'org_UNKNOWN',
    });
    expect(syncRequests).toEqual([
      { request: { organizationId, userId: adaId, role: 'admin' }, caller: undefined },
      { request: { organizationId, userId: adaId, role: null }, caller: undefined },
    ]);
    expect(twin.externalId).toBe(organizationId);
  });
});

describe('WorkOS webhooks', () => {
  const head = (): Promise<Position | null> => store.headPosition();

  it('records a profile changed in WorkOS, once per event id', async () => {
    const user = { ...standin.userJson(ada.id), last_name: 'Byron' };
    const first = standin.webhook('user.updated', user);
    expect(
      await ask(IDENTITY_SUBJECTS.workosWebhook, {
        payload: first.body,
        signature: first.signature,
      }),
    ).toEqual({ received: true });
    // WorkOS delivering the same event again (here with other data, to tell) changes nothing.
    const again = standin.webhook('user.updated', { ...user, last_name: 'King' }, { id: first.id });
    const before = await head();
    await ask(IDENTITY_SUBJECTS.workosWebhook, { payload: again.body, signature: again.signature });
    expect(await head()).toEqual(before);

    const me = await ask<MeView>(IDENTITY_SUBJECTS.getMe, {}, { type: 'user', userId: adaId });
    expect(me.lastName).toBe('Byron');
  });

  it('refuses a bad signature and writes nothing', async () => {
    const before = await head();
    const user = { ...standin.userJson(ada.id), last_name: 'Forged' };
    const forged = standin.webhook('user.updated', user, { secret: 'not the secret' });
    const stale = standin.webhook('user.updated', user, { timestampMs: Date.now() - 3_600_000 });
    for (const { body, signature } of [
      forged,
      stale,
      { body: forged.body, signature: '' },
      { body: 'not json', signature: forged.signature },
    ]) {
      const error = await refusal(
        ask(IDENTITY_SUBJECTS.workosWebhook, { payload: body, signature }),
      );
      expect(error).toMatchObject({ kind: 'unauthorized', code: 'invalid_signature' });
    }
    // The forged event's id was not claimed either: the genuine delivery of it still applies.
    const genuine = standin.webhook('user.updated', user, { id: forged.id });
    expect(await head()).toEqual(before);
    await ask(IDENTITY_SUBJECTS.workosWebhook, {
      payload: genuine.body,
      signature: genuine.signature,
    });
    expect(await eventTypes(userStreamName(adaId))).toContain('UserProfileUpdated');
    const me = await ask<MeView>(IDENTITY_SUBJECTS.getMe, {}, { type: 'user', userId: adaId });
    expect(me.lastName).toBe('Forged');
  });

  it('registers a user WorkOS created', async () => {
    standin.signInCode({ id: 'user_01GRACE', email: 'grace@example.com', emailVerified: false });
    const { body, signature } = standin.webhook('user.created', standin.userJson('user_01GRACE'));
    await ask(IDENTITY_SUBJECTS.workosWebhook, { payload: body, signature });
    const [signedUp] = await store.readStream(userStreamName(userIdOfWorkosUser('user_01GRACE')));
    expect(signedUp).toMatchObject({
      type: 'UserSignedUp',
      data: { email: 'grace@example.com', emailVerified: false, provider: 'workos' },
      metadata: { actor: { type: 'system', id: 'identity.workos-webhooks' } },
    });
  });
});
