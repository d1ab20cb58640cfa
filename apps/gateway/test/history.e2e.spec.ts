import { randomUUID } from 'node:crypto';
import {
  RESOURCE_COLLECTIONS,
  RESOURCE_KINDS,
  resourceEvents,
  resourceStreamName,
  type OrganizationHistoryDiff,
  type OrganizationHistoryState,
} from '@orgplane/contracts';
import {
  comparePositions,
  formatPosition,
  type JsonObject,
  type Position,
} from '@orgplane/event-store';
import { ORGANIZATION_HEADER } from '../src/authorization/authorization.guard';
import { API_KEY_HEADER } from '../src/authorization/credentials';
import { HTTP_HEADERS } from '../src/common/http-request-context';
import { Stack, type HttpRequest, type HttpResponse } from './support/stack';
import {
  after,
  buildWorld,
  createApiKey,
  expectStatus,
  registerResource,
  signIn,
  uniqueEmail,
  type World,
} from './support/world';

/**
 * History replay, end to end: what the API reported at two moments (before and after a few
 * changes) is what `/v1/history` folds from the events as of those moments, by position and by
 * time, and `/v1/history/diff` names the changes in between; the keys and resources of a deleted
 * project are in the default project, as the API shows them. Only Admins and their read-only
 * `activity:read` keys may ask. A big organization's state, more than one NATS message holds,
 * comes whole.
 */

jest.setTimeout(180_000);

let stack: Stack;
let world: World;

/** What the API shows at a moment, in the terms history uses. */
interface Reported {
  position: string;
  at: string;
  members: { userId: string; role: string }[];
  apiKeys: {
    id: string;
    name: string;
    status: string;
    scopes: string[];
    projectId: string | null;
  }[];
  sshKeys: { id: string; name: string; fingerprint: string; projectId: string | null }[];
  resources: { id: string; projectId: string }[];
  projects: { id: string; name: string; isDefault: boolean }[];
  secrets: { id: string; name: string; version: number; status: string }[];
}

const inWorld = () => ({ [ORGANIZATION_HEADER]: world.organizationId });

async function send(request: HttpRequest, status: number, what: string): Promise<HttpResponse> {
  return expectStatus(await stack.request(request), status, what);
}

const positionOf = (response: HttpResponse) =>
  response.headers.get(HTTP_HEADERS.consistencyPosition)!;

const byKey = <Item>(items: Item[], key: (item: Item) => string) =>
  [...items].sort((a, b) => (key(a) < key(b) ? -1 : 1));

/** Reads what the Admin sees after the write that answered `write`. */
async function reported(write: HttpResponse): Promise<Reported> {
  const read = (path: string) =>
    send(
      { method: 'GET', path, token: world.admin.token, headers: { ...inWorld(), ...after(write) } },
      200,
      `GET ${path}`,
    ).then((response) => response.body.data);
  const [members, apiKeys, sshKeys, projects, secrets, deletedSecrets, ...resources] =
    await Promise.all([
      read(`/v1/organizations/${world.organizationId}/members?limit=100`),
      read('/v1/api-keys?all=true&limit=100'),
      read('/v1/ssh-keys?all=true&limit=100'),
      read('/v1/projects?limit=100'),
      read('/v1/secrets?all=true&limit=100'),
      read('/v1/secrets?all=true&deleted=true&limit=100'),
      ...RESOURCE_KINDS.map((kind) => read(`/v1/${RESOURCE_COLLECTIONS[kind]}?all=true&limit=100`)),
    ]);
  return {
    position: positionOf(write),
    at: new Date().toISOString(),
    members: byKey(
      members.map(({ userId, role }: Reported['members'][number]) => ({ userId, role })),
      (member) => member.userId,
    ),
    apiKeys: byKey(
      apiKeys.map(({ id, name, status, scopes, projectId }: Reported['apiKeys'][number]) => ({
        id,
        name,
        status,
        scopes,
        projectId,
      })),
      (key) => key.id,
    ),
    sshKeys: byKey(
      sshKeys.map(({ id, name, fingerprint, projectId }: Reported['sshKeys'][number]) => ({
        id,
        name,
        fingerprint,
        projectId,
      })),
      (key) => key.id,
    ),
    resources: byKey(
      resources
        .flat()
        .map(({ id, projectId }: Reported['resources'][number]) => ({ id, projectId })),
      (resource) => resource.id,
    ),
    projects: byKey(
      projects.map(({ id, name, isDefault }: Reported['projects'][number]) => ({
        id,
        name,
        isDefault,
      })),
      (project) => project.id,
    ),
    secrets: byKey(
      [...secrets, ...deletedSecrets].map(
        ({ id, name, version, status }: Reported['secrets'][number]) => ({
          id,
          name,
          version,
          status,
        }),
      ),
      (secret) => secret.id,
    ),
  };
}

/** The same facts, as history folded them. */
function asReported(state: OrganizationHistoryState): Omit<Reported, 'position' | 'at'> {
  return {
    members: state.members.map(({ userId, role }) => ({ userId, role })),
    apiKeys: state.apiKeys.map(({ id, name, status, scopes, projectId }) => ({
      id,
      name,
      status,
      scopes,
      projectId,
    })),
    sshKeys: state.sshKeys.map(({ id, name, fingerprint, projectId }) => ({
      id,
      name,
      fingerprint,
      projectId,
    })),
    resources: state.resources.map(({ id, projectId }) => ({ id, projectId })),
    projects: state.projects.map(({ id, name, isDefault }) => ({ id, name, isDefault })),
    secrets: state.secrets.map(({ id, name, version, status }) => ({ id, name, version, status })),
  };
}

async function history(query: string, token = world.admin.token): Promise<HttpResponse> {
  return stack.request({ method: 'GET', path: `/v1/history${query}`, token, headers: inWorld() });
}

let before: Reported;
let afterChanges: Reported;
/** a project of the Admin's with a key and an agent in it, deleted among the changes */
let doomed: { projectId: string; apiKeyId: string; agentId: string };

beforeAll(async () => {
  stack = await Stack.start({
    membershipInstances: 1,
    requestTimeoutMs: 5000,
    consistencyWaitMs: 3000,
  });
  const [admin, member] = await Promise.all([
    signIn(stack, uniqueEmail('history-admin')),
    signIn(stack, uniqueEmail('history-member')),
  ]);
  world = await buildWorld(stack, admin, member);
  const doomedProject = await send(
    {
      method: 'POST',
      path: '/v1/projects',
      token: admin.token,
      headers: inWorld(),
      json: { name: 'Doomed' },
    },
    201,
    'create the project to delete',
  );
  const inDoomed = { projectId: doomedProject.body.data.id as string };
  const [doomedKey, doomedAgent] = await Promise.all([
    createApiKey(stack, admin, world.organizationId, { name: 'In Doomed', ...inDoomed }),
    registerResource(stack, {
      organizationId: world.organizationId,
      kind: 'agent',
      ownerUserId: admin.userId,
      ...inDoomed,
    }),
  ]);
  doomed = { ...inDoomed, apiKeyId: doomedKey.id, agentId: doomedAgent.id };
  const marked = await send(
    {
      method: 'POST',
      path: '/v1/projects',
      token: admin.token,
      headers: inWorld(),
      json: { name: 'Before the changes' },
    },
    201,
    'create a project',
  );
  before = await reported(marked);

  // the changes: a promotion, a revoked key, a deleted project, a new project and a new secret
  // version
  const promoted = await send(
    {
      method: 'PATCH',
      path: `/v1/organizations/${world.organizationId}/members/${member.userId}`,
      token: admin.token,
      json: { role: 'admin' },
    },
    200,
    'promote the member',
  );
  await send(
    {
      method: 'DELETE',
      path: `/v1/api-keys/${world.memberApiKeyId}`,
      token: admin.token,
      headers: { ...inWorld(), ...after(promoted) },
    },
    200,
    "revoke the member's key",
  );
  await send(
    {
      method: 'POST',
      path: '/v1/secrets',
      token: admin.token,
      headers: inWorld(),
      json: { name: 'WORLD_SECRET', value: 'rotated-value' },
    },
    200,
    'rotate a secret',
  );
  await send(
    {
      method: 'DELETE',
      path: `/v1/projects/${doomed.projectId}`,
      token: admin.token,
      headers: inWorld(),
    },
    200,
    'delete a project',
  );
  const last = await send(
    {
      method: 'POST',
      path: '/v1/projects',
      token: admin.token,
      headers: inWorld(),
      json: { name: 'After the changes' },
    },
    201,
    'create another project',
  );
  afterChanges = await reported(last);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

describe('GET /v1/history', () => {
  it('as of a position gives what the API reported then, before and after the changes', async () => {
    for (const moment of [before, afterChanges]) {
      const response = expectStatus(
        await history(`?position=${moment.position}`),
        200,
        'history by position',
      );
      const state = response.body.data as OrganizationHistoryState;

      expect(state.organization).toMatchObject({ id: world.organizationId, status: 'active' });
      expect(state.position).toBe(moment.position);
      expect(asReported(state)).toEqual({
        members: moment.members,
        apiKeys: moment.apiKeys,
        sshKeys: moment.sshKeys,
        projects: moment.projects,
        secrets: moment.secrets,
        resources: moment.resources,
      });
      expect(JSON.stringify(state)).not.toMatch(/keyHash|ciphertext|rotated-value/);
    }
  });

  it('as of a time gives the same as the position reached by then', async () => {
    for (const moment of [before, afterChanges]) {
      const [byTime, byPosition] = await Promise.all([
        history(`?at=${encodeURIComponent(moment.at)}`),
        history(`?position=${moment.position}`),
      ]);
      expect(asReported(expectStatus(byTime, 200, 'history by time').body.data)).toEqual(
        asReported(byPosition.body.data),
      );
    }
  });

  it('before the organization existed, there is no organization', async () => {
    const response = await history(`?at=2000-01-01T00:00:00Z`);

    expect(expectStatus(response, 200, 'history long ago').body.data).toMatchObject({
      organization: null,
      eventCount: 0,
      members: [],
    });
  });

  it('refuses moments it cannot read, naming the field', async () => {
    for (const query of ['?position=soon', '?at=yesterday', '', `?at=${before.at}&position=1:1`]) {
      const response = await history(query);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
    }
    const badDiff = await stack.request({
      method: 'GET',
      path: '/v1/history/diff?from=last-tuesday&to=1:2',
      token: world.admin.token,
      headers: inWorld(),
    });
    expect(badDiff.status).toBe(400);
    expect(JSON.stringify(badDiff.body.error)).toContain('from');
  });
});

describe('GET /v1/history/diff', () => {
  it('names what changed between two moments', async () => {
    const response = await stack.request({
      method: 'GET',
      path: `/v1/history/diff?from=${before.position}&to=${encodeURIComponent(afterChanges.at)}`,
      token: world.admin.token,
      headers: inWorld(),
    });
    const diff = expectStatus(response, 200, 'diff').body.data as OrganizationHistoryDiff;

    expect(diff.changes.members.changed).toEqual([
      { key: world.member.userId, fields: [{ field: 'role', from: 'member', to: 'admin' }] },
    ]);
    const movedOut = { field: 'projectId', from: doomed.projectId, to: world.defaultProjectId };
    expect(diff.changes.apiKeys.changed).toHaveLength(2);
    expect(diff.changes.apiKeys.changed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          key: world.memberApiKeyId,
          fields: expect.arrayContaining([{ field: 'status', from: 'active', to: 'revoked' }]),
        }),
        { key: doomed.apiKeyId, fields: [movedOut] },
      ]),
    );
    expect(diff.changes.resources.changed).toEqual([{ key: doomed.agentId, fields: [movedOut] }]);
    expect(diff.changes.projects.added).toEqual([
      expect.objectContaining({ name: 'After the changes' }),
    ]);
    expect(diff.changes.projects.removed).toEqual([
      expect.objectContaining({ id: doomed.projectId, name: 'Doomed' }),
    ]);
    expect(diff.changes.secrets.changed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          fields: [{ field: 'version', from: 1, to: 2 }],
        }),
      ]),
    );
    expect(diff.changes.members.added).toEqual([]);
    expect(diff.organization).toEqual([]);
  });
});

describe('who may replay history', () => {
  it("Admins and their activity:read keys; not Members, nor a Member's key", async () => {
    const adminKey = await createApiKey(stack, world.admin, world.organizationId, {
      name: 'Auditor',
      scopes: ['activity:read'],
    });
    const viaAdminKey = await stack.request({
      method: 'GET',
      path: `/v1/history?position=${before.position}`,
      headers: { [API_KEY_HEADER]: adminKey.key },
    });
    expect(viaAdminKey.status).toBe(200);

    const outsider = await signIn(stack, uniqueEmail('history-outsider'));
    const invited = await send(
      {
        method: 'POST',
        path: `/v1/organizations/${world.organizationId}/invitations`,
        token: world.admin.token,
        json: { email: outsider.email, role: 'member' },
      },
      201,
      'invite a Member',
    );
    await send(
      {
        method: 'POST',
        path: `/v1/invitations/${invited.body.data.id}/accept`,
        token: outsider.token,
      },
      200,
      'accept',
    );
    const asMember = await history(`?position=${before.position}`, outsider.token);
    expect(asMember.status).toBe(403);

    const memberKey = await createApiKey(stack, outsider, world.organizationId, {
      name: 'Not an auditor',
      scopes: ['activity:read'],
    });
    const viaMemberKey = await stack.request({
      method: 'GET',
      path: `/v1/history/diff?from=${before.position}&to=${afterChanges.position}`,
      headers: { [API_KEY_HEADER]: memberKey.key },
    });
    expect(viaMemberKey.status).toBe(403);
  });
});

describe('a big organization', () => {
  /** registrations as the resources service would append them, one stream each */
  async function registerResources(count: number, projectId: string): Promise<Position> {
    let last: Position | null = null;
    const pending = Array.from({ length: count }, (_, index) => index);
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let index = pending.shift(); index !== undefined; index = pending.shift()) {
          const resourceId = randomUUID();
          const requestId = `req_bulk_${index}`;
          const { type, schemaVersion, data } = resourceEvents.encode({
            type: 'ResourceRegistered',
            data: {
              resourceId,
              organizationId: world.organizationId,
              kind: 'sandbox',
              name: `bulk-sandbox-${index}-${'x'.repeat(60)}`,
              ownerUserId: world.admin.userId,
              projectId,
              visibility: 'org',
              workspaceIds: [],
              registeredBy: 'sandboxes',
              registeredAt: new Date().toISOString(),
            },
          });
          const { position } = await stack.store.append(resourceStreamName(resourceId), [
            {
              type,
              schemaVersion,
              data: data as JsonObject,
              metadata: {
                orgId: world.organizationId,
                actor: { type: 'system', id: 'sandboxes' },
                requestId,
                correlationId: requestId,
                causationId: requestId,
              },
            },
          ]);
          if (!last || comparePositions(position, last) > 0) last = position;
        }
      }),
    );
    return last!;
  }

  const bulk = (items: { name: string }[]) =>
    items.filter((item) => item.name.startsWith('bulk-sandbox-'));

  it('replays a state and a diff larger than one NATS message (1 MiB)', async () => {
    const resources = 5000;
    const end = formatPosition(await registerResources(resources, before.projects[0].id));

    const state = expectStatus(await history(`?position=${end}`), 200, 'history of a big org');
    expect(bulk(state.body.data.resources)).toHaveLength(resources);
    expect(JSON.stringify(state.body).length).toBeGreaterThan(1_048_576);

    const diff = await stack.request({
      method: 'GET',
      path: `/v1/history/diff?from=${before.position}&to=${end}`,
      token: world.admin.token,
      headers: inWorld(),
    });
    const changes = (
      expectStatus(diff, 200, 'diff of a big org').body.data as OrganizationHistoryDiff
    ).changes;
    expect(bulk(changes.resources.added as { name: string }[])).toHaveLength(resources);
  });
});
