import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { hashApiKey, isWellFormedApiKey, STORE_KEY_MESSAGE } from '@orgplane/contracts';
import { eventually } from '@orgplane/testing';
import { newId } from '@orgplane/util';
import { ORGANIZATION_HEADER } from '../src/authorization/authorization.guard';
import { API_KEY_HEADER } from '../src/authorization/credentials';
import { IDEMPOTENCY_BUCKET } from '../src/conventions/idempotency/idempotency.store';
import { everyRow } from './support/at-rest';
import { newSshPublicKey } from './support/ssh-keys';
import { Stack, type HttpRequest, type HttpResponse } from './support/stack';
import {
  after,
  buildWorld,
  createApiKey,
  expectStatus,
  signIn,
  uniqueEmail,
  type CreatedApiKey,
  type SignedInUser,
  type World,
} from './support/world';

/**
 * API keys through the HTTP API, on two gateway instances: created and used as a client would,
 * scoped, revoked and rotated (the change holds on both instances within one second), with
 * `lastUsedAt` kept without an event per use, and the key itself nowhere at rest.
 */

jest.setTimeout(60_000);

/** what follows `rt_live_` and the key's first 4 random characters (`keyPrefix`) */
const PREFIX_LENGTH = 12;

let stack: Stack;
let ada: SignedInUser;
let grace: SignedInUser;
let world: World;
/** the answer to requests without valid credentials, which every dead key must get too */
let unauthorized: { code: string; message: string };
/** every key this file was shown, with the body of the reply that showed it */
const issued: { key: string; reply: string }[] = [];

beforeAll(async () => {
  stack = await Stack.start({
    membershipInstances: 1,
    gatewayInstances: 2,
    requestTimeoutMs: 5000,
    consistencyWaitMs: 3000,
    gatewayEnv: { API_KEY_USAGE_FLUSH_MS: '100' },
    // Everything a service or gateway might log, for the scan of the logs.
    serviceLogLevel: 'debug',
    gatewayLogLevel: 'debug',
  });
  [ada, grace] = await Promise.all([
    signIn(stack, uniqueEmail('ada')),
    signIn(stack, uniqueEmail('grace')),
  ]);
  world = await buildWorld(stack, ada, grace);
  const anonymous = await stack.request({ method: 'GET', path: '/v1/me' });
  expect(anonymous.status).toBe(401);
  unauthorized = { code: anonymous.body.error.code, message: anonymous.body.error.message };
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

/** Sessions name the organization: their active one moves as the tests create others. */
const inWorld = (): Record<string, string> => ({ [ORGANIZATION_HEADER]: world.organizationId });

const send = (request: HttpRequest): Promise<HttpResponse> => stack.request(request);
const ok = async (request: HttpRequest, status = 200): Promise<HttpResponse> =>
  expectStatus(await send(request), status, `${request.method} ${request.path}`);

/** Keeps a key the file was shown, for the scan. */
function remember(key: string, reply: HttpResponse): void {
  issued.push({ key, reply: JSON.stringify(reply.body) });
}

/** `owner` creates a key (in the world's organization by default), remembered for the scan. */
async function issue(
  owner: SignedInUser,
  json: Record<string, unknown> = {},
  organizationId = world.organizationId,
  headers: Record<string, string> = {},
): Promise<CreatedApiKey> {
  const created = await createApiKey(stack, owner, organizationId, json, headers);
  remember(created.key, created.reply);
  return created;
}

/** `GET /v1/organizations/current` with the key, sent as X-API-Key. */
function useKey(key: string, gateway = 0, path = '/v1/organizations/current') {
  return send({ method: 'GET', path, headers: { [API_KEY_HEADER]: key }, gateway });
}

function expectUnauthorized(response: HttpResponse): void {
  expect({
    status: response.status,
    code: response.body.error.code,
    message: response.body.error.message,
    challenge: response.headers.get('www-authenticate'),
  }).toEqual({ status: 401, ...unauthorized, challenge: 'Bearer' });
}

/**
 * Polls each gateway instance until `check` passes for its answer to `request`, and checks that
 * it took less than a second since `since` on both.
 */
async function holdsOnBothWithinOneSecond(
  since: number,
  request: (gateway: number) => Promise<HttpResponse>,
  check: (response: HttpResponse) => void,
): Promise<void> {
  for (const gateway of [0, 1]) {
    await eventually(async () => check(await request(gateway)), { timeoutMs: 1000 });
  }
  expect(Date.now() - since).toBeLessThan(1000);
}

describe('creating and using a key', () => {
  it('shows the key once, in the create reply with a message to store it; it works in either header on either instance', async () => {
    const created = await ok(
      {
        method: 'POST',
        path: '/v1/api-keys',
        token: grace.token,
        headers: inWorld(),
        json: { name: 'CI', scopes: ['org:read'], expiresIn: '90d' },
      },
      201,
    );
    const { key, id } = created.body.data;
    remember(key, created);
    expect(isWellFormedApiKey(key)).toBe(true);
    expect(created.body).toEqual({
      data: expect.objectContaining({
        id,
        key,
        keyPrefix: key.slice(0, PREFIX_LENGTH),
        scopes: ['org:read'],
        status: 'active',
        ownerUserId: grace.userId,
        lastUsedAt: null,
        revokedAt: null,
      }),
      message: STORE_KEY_MESSAGE,
      meta: { requestId: created.headers.get('x-request-id') },
    });
    const lifetimeDays =
      (Date.parse(created.body.data.expiresAt) - Date.parse(created.body.data.createdAt)) /
      (24 * 3600 * 1000);
    expect(lifetimeDays).toBe(90);

    const read = await ok({
      method: 'GET',
      path: `/v1/api-keys/${id}`,
      token: grace.token,
      headers: inWorld(),
    });
    expect(read.body.data).not.toHaveProperty('key');
    expect(JSON.stringify(read.body)).not.toContain(key);

    for (const gateway of [0, 1]) {
      const byHeader = await useKey(key, gateway);
      expect(byHeader.status).toBe(200);
      expect(byHeader.body.data.id).toBe(world.organizationId);
      expect(byHeader.headers.get('x-ratelimit-limit')).toEqual(expect.any(String));
      const byBearer = await send({ method: 'GET', path: '/v1/me', token: key, gateway });
      expect(byBearer.status).toBe(200);
      expect(byBearer.body.data.id).toBe(grace.userId);
    }

    const status = await ok({ method: 'GET', path: '/v1/auth/status', token: key });
    expect(status.body.data).toEqual({
      type: 'apiKey',
      keyId: id,
      userId: grace.userId,
      organizationId: world.organizationId,
      role: expect.stringMatching(/^(admin|member)$/),
      scopes: ['org:read'],
    });

    const both = await send({
      method: 'GET',
      path: '/v1/me',
      token: grace.token,
      headers: { [API_KEY_HEADER]: key },
    });
    expect(both.status).toBe(400);
    expect(Object.keys(both.body.error.details.fields)).toEqual([API_KEY_HEADER]);
  });

  it('creates a key once for an Idempotency-Key, and never keeps the reply that holds it', async () => {
    const request: HttpRequest = {
      method: 'POST',
      path: '/v1/api-keys',
      token: ada.token,
      headers: { ...inWorld(), 'idempotency-key': 'deploy-key-1' },
      json: { name: 'Deploy' },
    };
    const first = await ok(request, 201);
    remember(first.body.data.key, first);
    for (const gateway of [0, 1]) {
      const again = await send({ ...request, gateway });
      expect(again.status).toBe(409);
      expect(again.body.error).toMatchObject({
        code: 'idempotency_replay_unavailable',
        details: { id: first.body.data.id },
      });
      expect(JSON.stringify(again.body)).not.toContain(first.body.data.key);
    }
    const listed = await ok({
      method: 'GET',
      path: '/v1/api-keys?limit=500',
      token: ada.token,
      headers: inWorld(),
    });
    expect(listed.body.data.filter(({ name }: { name: string }) => name === 'Deploy')).toHaveLength(
      1,
    );
  });

  it('sends all=true only for an Admin whose key has admin:resources', async () => {
    const list = (key: string) => useKey(key, 0, '/v1/ssh-keys?all=true');
    const sshOnly = await issue(ada, { name: 'ssh only', scopes: ['ssh-key:*'] });
    const refused = await list(sshOnly.key);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      code: 'insufficient_scope',
      details: { requiredScope: 'admin:resources' },
    });
    const withAdminScope = await issue(ada, { scopes: ['ssh-key:*', 'admin:resources'] });
    const everyone = await list(withAdminScope.key);
    expect(everyone.status).toBe(200);
    expect(everyone.body.data.map(({ id }: { id: string }) => id)).toContain(world.memberSshKeyId);
    const membersKey = await issue(grace);
    expect((await list(membersKey.key)).body.error.code).toBe('admin_required');
  });

  it('adds an SSH key with a key scoped to ssh-key:*, once', async () => {
    const sshKeys = await issue(grace, { scopes: ['ssh-key:*'] });
    const publicKey = newSshPublicKey('grace@laptop');
    const add = () =>
      send({
        method: 'POST',
        path: '/v1/ssh-keys',
        headers: { [API_KEY_HEADER]: sshKeys.key },
        json: { name: 'laptop', publicKey },
      });
    const added = await add();
    expect(added.status).toBe(201);
    expect(added.body.data).toMatchObject({
      keyType: 'ssh-ed25519',
      fingerprint: expect.stringMatching(/^SHA256:[A-Za-z0-9+/]{43}$/),
      ownerUserId: grace.userId,
    });
    expect((await add()).status).toBe(409);
    const organization = await useKey(sshKeys.key, 0, `/v1/organizations/${world.organizationId}`);
    expect(organization.body.error.code).toBe('insufficient_scope');
  });
});

describe('the project of a key', () => {
  it('is a project of the organization; a key renamed after its project’s deletion stays in the default project', async () => {
    const admin = world.admin;
    const project = await ok(
      {
        method: 'POST',
        path: '/v1/projects',
        token: admin.token,
        headers: inWorld(),
        json: { name: 'Short-lived' },
      },
      201,
    );
    const projectId: string = project.body.data.id;
    // At once, on the other instance, without the project's consistency position.
    const created = await ok(
      {
        method: 'POST',
        path: '/v1/api-keys',
        token: admin.token,
        headers: inWorld(),
        json: { name: 'In a project', projectId },
        gateway: 1,
      },
      201,
    );
    remember(created.body.data.key, created);
    const key: { id: string; projectId: string } = created.body.data;
    expect(key.projectId).toBe(projectId);
    const sshKey = await ok(
      {
        method: 'POST',
        path: '/v1/ssh-keys',
        token: admin.token,
        headers: inWorld(),
        json: { name: 'In a project', publicKey: newSshPublicKey(), projectId },
        gateway: 1,
      },
      201,
    );
    expect(sshKey.body.data.projectId).toBe(projectId);
    const deleted = await ok({
      method: 'DELETE',
      path: `/v1/projects/${projectId}`,
      token: admin.token,
      headers: inWorld(),
    });

    const renamed = await ok({
      method: 'PATCH',
      path: `/v1/api-keys/${key.id}`,
      token: admin.token,
      headers: { ...inWorld(), ...after(deleted) },
      json: { name: 'Renamed' },
    });
    expect(renamed.body.data).toMatchObject({ name: 'Renamed', projectId: world.defaultProjectId });
    const read = (path: string) =>
      ok({ method: 'GET', path, token: admin.token, headers: { ...inWorld(), ...after(renamed) } });
    expect((await read(`/v1/api-keys/${key.id}`)).body.data.projectId).toBe(world.defaultProjectId);
    expect((await read(`/v1/ssh-keys/${sshKey.body.data.id}`)).body.data.projectId).toBe(
      world.defaultProjectId,
    );
    const idsIn = async (collection: string, inProject: string): Promise<string[]> =>
      (await read(`/v1/${collection}?projectId=${inProject}&limit=500`)).body.data.map(
        ({ id }: { id: string }) => id,
      );
    expect(await idsIn('api-keys', world.defaultProjectId)).toContain(key.id);
    expect(await idsIn('ssh-keys', world.defaultProjectId)).toContain(sshKey.body.data.id);
    expect(await idsIn('api-keys', projectId)).toEqual([]);
    expect(await idsIn('ssh-keys', projectId)).toEqual([]);

    for (const refused of [projectId, newId()]) {
      const attempts = await Promise.all([
        send({
          method: 'POST',
          path: '/v1/api-keys',
          token: admin.token,
          headers: inWorld(),
          json: { name: 'Refused', projectId: refused },
        }),
        send({
          method: 'PATCH',
          path: `/v1/api-keys/${key.id}`,
          token: admin.token,
          headers: inWorld(),
          json: { projectId: refused },
        }),
        send({
          method: 'POST',
          path: '/v1/ssh-keys',
          token: admin.token,
          headers: inWorld(),
          json: { name: 'Refused', publicKey: newSshPublicKey(), projectId: refused },
        }),
      ]);
      expect(attempts.map(({ status, body }) => [status, body.error?.code])).toEqual(
        Array(3).fill([404, 'project_not_found']),
      );
    }
  });
});

describe('lastUsedAt', () => {
  it('is kept to the minute, and using a key writes no event', async () => {
    const { id, key } = await issue(ada);
    const before = await stack.head();
    const firstUse = Date.now();
    for (let use = 0; use < 50; use++) {
      expect((await useKey(key, use % 2)).status).toBe(200);
    }
    expect(await stack.head()).toEqual(before);

    const minute = (at: number) => Math.floor(at / 60_000) * 60_000;
    const lastUsedAt = await eventually(async () => {
      const read = await ok({
        method: 'GET',
        path: `/v1/api-keys/${id}`,
        token: ada.token,
        headers: inWorld(),
      });
      expect(read.body.data.lastUsedAt).toEqual(expect.any(String));
      return Date.parse(read.body.data.lastUsedAt);
    });
    expect(lastUsedAt).toBe(minute(lastUsedAt));
    expect(lastUsedAt).toBeGreaterThanOrEqual(minute(firstUse));
    expect(lastUsedAt).toBeLessThanOrEqual(Date.now());
    expect(await stack.head()).toEqual(before);
  });
});

describe('dead keys get the same 401 on every gateway instance within one second', () => {
  it('a revoked key', async () => {
    const { id, key } = await issue(grace);
    for (const gateway of [0, 1]) expect((await useKey(key, gateway)).status).toBe(200);

    await ok({
      method: 'DELETE',
      path: `/v1/api-keys/${id}`,
      token: ada.token,
      headers: inWorld(),
    });
    await holdsOnBothWithinOneSecond(
      Date.now(),
      (gateway) => useKey(key, gateway),
      expectUnauthorized,
    );
  });

  it('a rotated key, at once with no grace period; the new one works', async () => {
    const { id, key } = await issue(grace);
    for (const gateway of [0, 1]) expect((await useKey(key, gateway)).status).toBe(200);

    const rotated = await ok({
      method: 'POST',
      path: `/v1/api-keys/${id}/rotate`,
      token: grace.token,
      headers: inWorld(),
      json: { gracePeriodSeconds: 0 },
      gateway: 1,
    });
    const since = Date.now();
    const renewed: string = rotated.body.data.key;
    remember(renewed, rotated);
    expect(rotated.body.data).toMatchObject({ id, keyPrefix: renewed.slice(0, PREFIX_LENGTH) });
    await holdsOnBothWithinOneSecond(since, (gateway) => useKey(key, gateway), expectUnauthorized);
    for (const gateway of [0, 1]) expect((await useKey(renewed, gateway)).status).toBe(200);
  });

  it('a rotated key, when its grace period ends, with no round trip to tell', async () => {
    const { id, key } = await issue(grace);
    for (const gateway of [0, 1]) expect((await useKey(key, gateway)).status).toBe(200);

    const rotated = await ok({
      method: 'POST',
      path: `/v1/api-keys/${id}/rotate`,
      token: grace.token,
      headers: inWorld(),
      json: { gracePeriodSeconds: 2 },
    });
    const rotatedAt = Date.now();
    remember(rotated.body.data.key, rotated);
    for (const gateway of [0, 1]) {
      expect((await useKey(key, gateway)).status).toBe(200);
      expect((await useKey(rotated.body.data.key, gateway)).status).toBe(200);
    }
    const ended = await eventually(
      async () => {
        const answers = await Promise.all([0, 1].map((gateway) => useKey(key, gateway)));
        for (const answer of answers) expectUnauthorized(answer);
        return Date.now();
      },
      { timeoutMs: 4000, intervalMs: 20 },
    );
    // The grace period started when the keys service rotated, a little before its reply.
    expect(ended - rotatedAt).toBeGreaterThan(1500);
    expect(ended - rotatedAt).toBeLessThan(3000);
  });

  it('a key whose owner is demoted loses Admin rights; removed, the key is dead', async () => {
    const owner = await signIn(stack, uniqueEmail('deputy'));
    const ownWorld = await buildWorld(stack, ada, owner);
    const promoted = await ok({
      method: 'PATCH',
      path: `/v1/organizations/${ownWorld.organizationId}/members/${owner.userId}`,
      token: ada.token,
      json: { role: 'admin' },
    });
    const { key } = await issue(owner, {}, ownWorld.organizationId, after(promoted));
    const listInvitations = (gateway: number) =>
      useKey(key, gateway, `/v1/organizations/${ownWorld.organizationId}/invitations`);
    for (const gateway of [0, 1]) expect((await listInvitations(gateway)).status).toBe(200);

    await ok({
      method: 'PATCH',
      path: `/v1/organizations/${ownWorld.organizationId}/members/${owner.userId}`,
      token: ada.token,
      json: { role: 'member' },
      gateway: 1,
    });
    await holdsOnBothWithinOneSecond(Date.now(), listInvitations, (response) =>
      expect(response.body.error.code).toBe('admin_required'),
    );

    await ok({
      method: 'DELETE',
      path: `/v1/organizations/${ownWorld.organizationId}/members/${owner.userId}`,
      token: ada.token,
    });
    await holdsOnBothWithinOneSecond(
      Date.now(),
      (gateway) => useKey(key, gateway),
      expectUnauthorized,
    );
  });

  it('a malformed key, and one nobody issued', async () => {
    const { key } = await issue(grace);
    const mistyped = `${key.slice(0, 10)}${key[10] === 'x' ? 'y' : 'x'}${key.slice(11)}`;
    const invented = `rt_live_${'A'.repeat(28)}`;
    for (const wrong of [mistyped, invented, 'rt_', `${key}0`]) {
      for (const gateway of [0, 1]) {
        expectUnauthorized(await useKey(wrong, gateway));
        expectUnauthorized(await send({ method: 'GET', path: '/v1/me', token: wrong, gateway }));
      }
    }
  });
});

describe('no plaintext key anywhere at rest', () => {
  it('finds no key in the event store, any read model, the idempotency records or any log', async () => {
    // A few more keys, live and test, one rotated, one with an Idempotency-Key, all used.
    const more: CreatedApiKey[] = [
      await issue(ada, { name: 'scan live', scopes: ['org:read', 'ssh-key:*'] }),
      await issue(grace, { name: 'scan test', isTest: true }),
    ];
    const rotated = await ok({
      method: 'POST',
      path: `/v1/api-keys/${more[0].id}/rotate`,
      token: ada.token,
      headers: { ...inWorld(), 'idempotency-key': 'scan-rotation' },
      json: { gracePeriodSeconds: 600 },
    });
    remember(rotated.body.data.key, rotated);
    for (const { key } of issued) {
      for (const gateway of [0, 1]) {
        await useKey(key, gateway);
        await send({ method: 'GET', path: '/v1/organizations', token: key, gateway });
      }
    }
    // the uses reported and recorded
    await eventually(async () => {
      const read = await ok({
        method: 'GET',
        path: `/v1/api-keys/${more[1].id}`,
        token: grace.token,
        headers: inWorld(),
      });
      expect(read.body.data.lastUsedAt).not.toBeNull();
    });

    // The scan looks for the right strings: the replies that showed the keys hold them.
    const secrets = issued.map(({ key }) => key.slice(PREFIX_LENGTH));
    expect(secrets.length).toBeGreaterThanOrEqual(12);
    for (const [index, { reply }] of issued.entries()) expect(reply).toContain(secrets[index]);

    const rows = await everyRow(stack);
    const idempotencyRecords = await idempotencyBucket(stack);
    const logs = [
      ...stack.services.flatMap(({ logs: lines }) => lines.map((line) => JSON.stringify(line))),
      ...stack.gatewayLogs,
    ].join('\n');
    // ...and where it looks holds what it should: the keys' hashes, the records, the requests.
    expect(rows).toContain(hashApiKey(issued[0].key));
    expect(idempotencyRecords).toContain(rotated.body.data.id);
    expect(logs).toContain(rotated.headers.get('x-request-id'));

    const found = (where: string, text: string) => ({
      where,
      secrets: secrets.filter((secret) => text.includes(secret)),
    });
    expect([
      found('event store and read models', rows),
      found('idempotency records', idempotencyRecords),
      found('service and gateway logs', logs),
    ]).toEqual([
      { where: 'event store and read models', secrets: [] },
      { where: 'idempotency records', secrets: [] },
      { where: 'service and gateway logs', secrets: [] },
    ]);
  });
});

/** Every record of the Idempotency-Key bucket, as stored. */
async function idempotencyBucket(stack: Stack): Promise<string> {
  const connection = await connect({ servers: stack.nats.url });
  try {
    const bucket = await new Kvm(connection).open(IDEMPOTENCY_BUCKET);
    const records: string[] = [];
    for await (const key of await bucket.keys()) {
      const entry = await bucket.get(key);
      if (entry) records.push(entry.string());
    }
    expect(records.length).toBeGreaterThan(0);
    return records.join('\n');
  } finally {
    await connection.close();
  }
}
