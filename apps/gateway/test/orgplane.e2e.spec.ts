import {
  HEALTH_REPLY_STATUS,
  IDENTITY_SUBJECTS,
  KEYS_SUBJECTS,
  MEMBERSHIP_SUBJECTS,
  organizationStreamName,
  RESOURCES_SUBJECTS,
  SECRETS_VAULT_SUBJECTS,
  type HealthReply,
} from '@orgplane/contracts';
import { createLogger, ROOT_FIELD, ServiceClient, type RequestContext } from '@orgplane/messaging';
import { eventually, ServiceExitedError } from '@orgplane/testing';
import { newRequestId } from '@orgplane/util';
import { Stack, startService, type HttpRequest, type HttpResponse } from './support/stack';

jest.setTimeout(30_000);

const REQUEST_TIMEOUT_MS = 1500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const POSITION = /^\d+:\d+$/;

let stack: Stack;
let ada: { token: string; userId: string };

beforeAll(async () => {
  stack = await Stack.start({
    membershipInstances: 2,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    consistencyWaitMs: 1000,
  });
  ada = await stack.signIn('ada@example.com');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

/**
 * Sends the request and checks that it wrote nothing. Only its own events count: the resources
 * service's reaction to an earlier organization (its default project) may land meanwhile.
 */
async function expectNothingWritten(request: HttpRequest): Promise<HttpResponse> {
  const before = await stack.head();
  const response = await stack.request(request);
  expect(await stack.writtenBy(response.headers.get('x-request-id')!, before)).toEqual([]);
  return response;
}

function expectErrorEnvelope(response: HttpResponse, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.body.error).toMatchObject({ code, requestId: expect.stringMatching(/^req_/) });
  expect(response.headers.get('x-request-id')).toBe(response.body.error.requestId);
}

const createOrganization = (json: unknown, token = ada.token) =>
  stack.request({ method: 'POST', path: '/v1/organizations', token, json });

const getOrganization = (id: string, token = ada.token, headers?: Record<string, string>) =>
  stack.request({ method: 'GET', path: `/v1/organizations/${id}`, token, headers });

describe('development sign-in', () => {
  it('registers a user on first sign-in and signs the same user in again', async () => {
    const first = await stack.request({
      method: 'POST',
      path: '/v1/auth/dev/sign-in',
      json: { email: 'Grace@Example.com' },
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      data: {
        accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        tokenType: 'Bearer',
        expiresIn: 3600,
        user: { id: expect.stringMatching(UUID), email: 'grace@example.com' },
      },
      meta: { requestId: first.headers.get('x-request-id') },
    });
    const again = await expectNothingWritten({
      method: 'POST',
      path: '/v1/auth/dev/sign-in',
      json: { email: 'grace@example.com' },
    });
    expect(again.body.data.user).toEqual(first.body.data.user);
  });

  it('refuses a malformed email with field details', async () => {
    const response = await expectNothingWritten({
      method: 'POST',
      path: '/v1/auth/dev/sign-in',
      json: { email: 'not-an-email' },
    });
    expectErrorEnvelope(response, 400, 'validation_failed');
    expect(response.body.error.details.fields).toEqual({ email: ['Invalid email address'] });
  });
});

describe('organizations', () => {
  it('creates an organization (201) whose creator is its Admin', async () => {
    const response = await createOrganization({ name: '  Acme Inc. ' });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      data: {
        id: expect.stringMatching(UUID),
        name: 'Acme Inc.',
        slug: expect.stringMatching(/^acme-inc-[0-9a-f]{8}$/),
        plan: 'free',
        enterprise: false,
        role: 'admin',
        orgRole: 'admin',
        settings: { membersMayRevealOrgSecrets: false, allowPublicResources: true },
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        defaultProjectId: expect.stringMatching(UUID),
        personalWorkspaceId: expect.stringMatching(UUID),
      },
      meta: { requestId: response.headers.get('x-request-id') },
    });
    expect(response.headers.get('x-consistency-position')).toMatch(POSITION);

    const { id } = response.body.data;
    const events = await stack.store.readStream(organizationStreamName(id));
    expect(events.map(({ type, data }) => ({ type, data }))).toEqual([
      { type: 'OrganizationCreated', data: expect.objectContaining({ createdBy: ada.userId }) },
      {
        type: 'MemberJoined',
        data: expect.objectContaining({ userId: ada.userId, role: 'admin' }),
      },
    ]);
    expect(events[0].metadata).toMatchObject({
      orgId: id,
      actor: { type: 'user', id: ada.userId },
      requestId: response.body.meta.requestId,
    });
  });

  it('reads each new organization back at once, whichever instance answers', async () => {
    for (let attempt = 0; attempt < 6; attempt++) {
      const created = await createOrganization({ name: `Team ${attempt}` });
      expect(created.status).toBe(201);
      const read = await getOrganization(created.body.data.id);
      expect(read.status).toBe(200);
      expect(read.body.data).toEqual(created.body.data);
    }
  });

  it('waits for the read model up to a given X-Consistency-Position', async () => {
    const created = await createOrganization({ name: 'Waited' });
    const position = created.headers.get('x-consistency-position')!;
    const read = await getOrganization(created.body.data.id, ada.token, {
      'X-Consistency-Position': position,
    });
    expect(read.status).toBe(200);

    const unreachable = await getOrganization(created.body.data.id, ada.token, {
      'X-Consistency-Position': '99999999999999:0',
    });
    expectErrorEnvelope(unreachable, 503, 'consistency_timeout');

    const malformed = await getOrganization(created.body.data.id, ada.token, {
      'X-Consistency-Position': 'latest',
    });
    expectErrorEnvelope(malformed, 400, 'validation_failed');
    expect(Object.keys(malformed.body.error.details.fields)).toEqual(['X-Consistency-Position']);
  });

  it('answers 404 to a non-member, as for an unknown or malformed id', async () => {
    const created = await createOrganization({ name: 'Private' });
    const grace = await stack.signIn('grace@example.com');
    expectErrorEnvelope(await getOrganization(created.body.data.id, grace.token), 404, 'not_found');
    expectErrorEnvelope(
      await getOrganization('3fa85f64-5717-4562-b3fc-2c963f66afa6'),
      404,
      'not_found',
    );
    expectErrorEnvelope(await getOrganization('not-a-uuid'), 404, 'not_found');
  });

  it("puts the gateway's request id on the services' log lines", async () => {
    const created = await createOrganization({ name: 'Traced' });
    const requestId = created.headers.get('x-request-id');
    // The service's stdout reaches this process on its own pipe, possibly after the HTTP reply.
    const lines = await eventually(() => {
      const logged = stack.membership.flatMap((instance) => instance.logs);
      expect(logged).toContainEqual(
        expect.objectContaining({
          requestId,
          msg: 'Request handled',
          subject: MEMBERSHIP_SUBJECTS.createOrganization,
          outcome: 'ok',
        }),
      );
      return logged;
    });
    const handled = lines.filter((line) => line.msg === 'Request handled');
    expect(handled.every((line) => typeof line.requestId === 'string')).toBe(true);
  });
});

describe('bad requests: the right 4xx, and nothing written', () => {
  const name101 = 'x'.repeat(101);
  const jsonType = { 'content-type': 'application/json' };
  it.each<{
    what: string;
    request: Omit<HttpRequest, 'method' | 'path' | 'token'>;
    status: number;
    code: string;
    fields?: object;
  }>([
    {
      what: 'a missing name',
      request: { json: {} },
      status: 400,
      code: 'validation_failed',
      fields: { name: ['Required'] },
    },
    {
      what: 'a name of the wrong type',
      request: { json: { name: 42 } },
      status: 400,
      code: 'validation_failed',
      fields: { name: [expect.stringContaining('expected string')] },
    },
    {
      what: 'an unknown field',
      request: { json: { name: 'A', plan: 'pro' } },
      status: 400,
      code: 'validation_failed',
      fields: { plan: ['Unknown field'] },
    },
    {
      what: 'a blank name',
      request: { json: { name: '   ' } },
      status: 400,
      code: 'validation_failed',
      fields: { name: ['Must not be empty'] },
    },
    {
      what: 'a name too long',
      request: { json: { name: name101 } },
      status: 400,
      code: 'validation_failed',
      fields: { name: ['Must be at most 100 characters'] },
    },
    {
      what: 'a body that is not an object',
      request: { json: ['Acme'] },
      status: 400,
      code: 'validation_failed',
      fields: { [ROOT_FIELD]: ['Expected a JSON object'] },
    },
    {
      what: 'no body at all',
      request: {},
      status: 400,
      code: 'validation_failed',
      fields: { name: ['Required'] },
    },
    {
      what: 'invalid JSON',
      request: { body: '{"name":', headers: jsonType },
      status: 400,
      code: 'invalid_json',
    },
    {
      what: 'text holding NUL, which PostgreSQL cannot store',
      request: { json: { name: 'Ac\u0000me' } },
      status: 400,
      code: 'invalid_text',
    },
    {
      what: 'a body over the limit',
      request: { body: JSON.stringify({ name: 'x'.repeat(1024 * 1024) }), headers: jsonType },
      status: 413,
      code: 'payload_too_large',
    },
    {
      what: 'a body that is not JSON',
      request: { body: 'name=Acme', headers: { 'content-type': 'text/plain' } },
      status: 415,
      code: 'unsupported_media_type',
    },
  ])('$what', async ({ request, status, code, fields }) => {
    const response = await expectNothingWritten({
      method: 'POST',
      path: '/v1/organizations',
      token: ada.token,
      ...request,
    });
    expectErrorEnvelope(response, status, code);
    if (fields) expect(response.body.error.details).toEqual({ fields });
  });

  it('401 without a valid access token', async () => {
    const [header, claims, signature] = ada.token.split('.');
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(claims, 'base64url').toString()),
        sub: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
      }),
    ).toString('base64url');
    for (const token of [undefined, 'garbage', `${header}.${forged}.${signature}`]) {
      const response = await expectNothingWritten({
        method: 'POST',
        path: '/v1/organizations',
        token,
        json: { name: 'Acme' },
      });
      expectErrorEnvelope(response, 401, 'unauthorized');
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('404 in the envelope for an unknown route', async () => {
    expectErrorEnvelope(
      await stack.request({ method: 'GET', path: '/v1/nowhere' }),
      404,
      'not_found',
    );
  });
});

describe('scaling and outages', () => {
  let services: ServiceClient;
  const context = (): RequestContext => {
    const requestId = newRequestId();
    return { requestId, correlationId: requestId, causationId: requestId };
  };
  const health = async (subject: string) =>
    (await services.request<HealthReply>(subject, {}, context())).data;

  beforeAll(async () => {
    services = new ServiceClient({
      natsUrl: stack.nats.url,
      defaultTimeoutMs: 2000,
      name: 'e2e',
      logger: createLogger('e2e', 'silent'),
    });
    await services.onModuleInit();
  });
  afterAll(() => services.onApplicationShutdown());

  it('every service answers its health subject', async () => {
    for (const subject of [
      IDENTITY_SUBJECTS.health,
      MEMBERSHIP_SUBJECTS.health,
      RESOURCES_SUBJECTS.health,
      SECRETS_VAULT_SUBJECTS.health,
      KEYS_SUBJECTS.health,
    ]) {
      expect(await health(subject)).toMatchObject({
        service: subject.split('.')[0],
        status: HEALTH_REPLY_STATUS,
      });
    }
  });

  it('the membership instances share the requests of their queue group', async () => {
    const answeredBy = new Set<string>();
    for (let attempt = 0; attempt < 40; attempt++) {
      answeredBy.add((await health(MEMBERSHIP_SUBJECTS.health)).instanceId);
    }
    expect(answeredBy).toEqual(new Set(stack.membership.map((instance) => instance.instanceId)));
  });

  it('a hung service is a 503 service_timeout after the request timeout', async () => {
    const created = await createOrganization({ name: 'Before the outage' });
    for (const instance of stack.membership) instance.freeze();
    try {
      const startedAt = Date.now();
      const response = await getOrganization(created.body.data.id);
      expectErrorEnvelope(response, 503, 'service_timeout');
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS);
    } finally {
      for (const instance of stack.membership) instance.thaw();
    }
  });

  it('a stopped service shuts down cleanly, and is then a 503 service_unavailable at once', async () => {
    const created = await createOrganization({ name: 'Before the shutdown' });
    const exitCodes = await Promise.all(stack.membership.map((instance) => instance.stop()));
    expect(exitCodes).toEqual([0, 0]);
    const errorLines = stack.membership.flatMap((instance) =>
      instance.logs.filter((line) => Number(line.level) >= 50),
    );
    expect(errorLines).toEqual([]);

    const startedAt = Date.now();
    const response = await getOrganization(created.body.data.id);
    expectErrorEnvelope(response, 503, 'service_unavailable');
    expect(Date.now() - startedAt).toBeLessThan(REQUEST_TIMEOUT_MS);
  });
});

describe('start-up', () => {
  it('refuses to start on invalid configuration, naming each wrong variable', async () => {
    const failure = await startService('membership', {
      NATS_URL: 'http://127.0.0.1:4222',
      DATABASE_POOL_MAX: 'lots',
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ServiceExitedError);
    const { exitCode, stderr } = failure as ServiceExitedError;
    expect(exitCode).toBe(1);
    expect(stderr).toContain('membership: invalid configuration');
    expect(stderr).toContain('NATS_URL (set): Expected nats://host:port');
    expect(stderr).toMatch(/DATABASE_POOL_MAX \(set\): .*number/);
  });
});
