import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  grantsScope,
  RESOURCE_ACTION_SCOPES,
  RESOURCE_COLLECTIONS,
  RESOURCES_SUBJECTS,
  resourceStreamName,
  type AuthorizationView,
  type Principal,
  type ResourceAction,
  type ResourceKind,
  type ResourceVisibility,
  type Scope,
  type ServiceReply,
} from '@orgplane/contracts';
import { formatPosition, maxPosition, parsePosition, type Position } from '@orgplane/event-store';
import { eventually } from '@orgplane/testing';
import { ORGANIZATION_HEADER } from '../src/authorization/authorization.guard';
import { API_KEY_HEADER } from '../src/authorization/credentials';
import { HTTP_HEADERS } from '../src/common/http-request-context';
import { newSshPublicKey } from './support/ssh-keys';
import { Stack, type HttpRequest, type HttpResponse } from './support/stack';
import {
  after,
  buildWorld,
  createApiKey,
  expectStatus,
  joinWorld,
  registerResource,
  signIn,
  uniqueEmail,
  type SignedInUser,
  type World,
} from './support/world';

/**
 * Projects, workspaces and the registry through the HTTP API, with the platform registering
 * resources and asking `resources.v1.authorize` over NATS: what an organization starts with, the
 * visibility matrix (and the authorization answer checked against it, case by case), a project's
 * deletion as readers see it, workspaces, and the handover of a removed member's resources.
 */

jest.setTimeout(60_000);

let stack: Stack;
let admin: SignedInUser;
/** the Member who owns the matrix's resources */
let owner: SignedInUser;
let otherMember: SignedInUser;
/** works in an organization of their own */
let outsider: SignedInUser;
let world: World;
/** the outsider's own organization */
let elsewhereId: string;

// --- a careful client ----------------------------------------------------------------------------

/** The newest position any reply named: every request waits for it, as a careful client does. */
let newest: Position | undefined;

function saw(position: Position | null): void {
  if (!position) return;
  newest = newest ? maxPosition(newest, position) : position;
  stack.platform.saw(position);
}

function seen(response: HttpResponse): HttpResponse {
  const header = response.headers.get(HTTP_HEADERS.consistencyPosition);
  saw(header ? parsePosition(header) : null);
  return response;
}

interface Credentials {
  token?: string;
  headers: Record<string, string>;
}

/** A session acting in an organization (the world's by default), as X-Org-Id names it. */
function session(user: SignedInUser, organizationId = world.organizationId): Credentials {
  return { token: user.token, headers: { [ORGANIZATION_HEADER]: organizationId } };
}

async function send(as: Credentials, request: Omit<HttpRequest, 'token'>): Promise<HttpResponse> {
  return seen(
    await stack.request({
      ...request,
      token: as.token,
      headers: {
        ...(newest ? { [HTTP_HEADERS.consistencyPosition]: formatPosition(newest) } : {}),
        ...as.headers,
        ...request.headers,
      },
    }),
  );
}

async function ok(
  as: Credentials,
  request: Omit<HttpRequest, 'token'>,
  status = 200,
): Promise<HttpResponse> {
  return expectStatus(await send(as, request), status, `${request.method} ${request.path}`);
}

function expectError(response: HttpResponse, status: number, code: string): void {
  expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status, code });
}

/** The platform registers a resource for `ownerUserId` in the world's organization. */
async function register(
  kind: ResourceKind,
  ownerUserId: string,
  settings: { projectId?: string; workspaceIds?: string[]; name?: string } = {},
): Promise<string> {
  const resource = await registerResource(stack, {
    organizationId: world.organizationId,
    kind,
    ownerUserId,
    ...settings,
  });
  return resource.id;
}

const itemPath = (kind: ResourceKind, id: string, rest = '') =>
  `/v1/${RESOURCE_COLLECTIONS[kind]}/${id}${rest}`;

/** A resource of the owner's with the visibility (published by the Admin when not private). */
async function resourceWith(kind: ResourceKind, visibility: ResourceVisibility): Promise<string> {
  const id = await register(kind, owner.userId);
  if (visibility !== 'private') {
    await ok(session(admin), {
      method: 'POST',
      path: itemPath(kind, id, '/publish'),
      json: { visibility },
    });
  }
  return id;
}

/**
 * `resources.v1.authorize`, asked by the platform (it has seen every write of this file) for a
 * principal acting in `organizationId` (the world's unless told).
 */
async function authorize(
  principal: Principal,
  action: ResourceAction,
  kind: ResourceKind,
  id: string,
  organizationId = world.organizationId,
): Promise<AuthorizationView> {
  const reply: ServiceReply<AuthorizationView> = await stack.platform.request(
    RESOURCES_SUBJECTS.authorize,
    { principal, organizationId, action, resource: { kind, id } },
    null,
  );
  return reply.data;
}

beforeAll(async () => {
  stack = await Stack.start({
    membershipInstances: 1,
    requestTimeoutMs: 5000,
    consistencyWaitMs: 3000,
  });
  [admin, owner, otherMember, outsider] = await Promise.all([
    signIn(stack, uniqueEmail('admin')),
    signIn(stack, uniqueEmail('owner')),
    signIn(stack, uniqueEmail('other')),
    signIn(stack, uniqueEmail('outsider')),
  ]);
  world = await buildWorld(stack, admin, owner);
  seen(await joinWorld(stack, world, otherMember));
  elsewhereId = seen(
    expectStatus(
      await stack.request({
        method: 'POST',
        path: '/v1/organizations',
        token: outsider.token,
        json: { name: 'Elsewhere' },
      }),
      201,
      'create an organization of their own',
    ),
  ).body.data.id;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

// --- the README walk-through ----------------------------------------------------------------------

describe('the README walk-through', () => {
  it('a project, an org workspace, an agent registered with tools/register-resource.ts, published by the Admin', async () => {
    const project = (
      await ok(
        session(admin),
        { method: 'POST', path: '/v1/projects', json: { name: 'Research', color: '#3366ff' } },
        201,
      )
    ).body.data;
    const workspace = (
      await ok(
        session(admin),
        { method: 'POST', path: '/v1/workspaces', json: { name: 'Datasets' } },
        201,
      )
    ).body.data;

    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-r', '@swc-node/register', 'tools/register-resource.ts'],
      {
        cwd: `${__dirname}/../../..`,
        env: {
          ...process.env,
          NATS_URL: stack.nats.url,
          ORG_ID: world.organizationId,
          OWNER_ID: admin.userId,
          KIND: 'agent',
          NAME: 'reviewer',
          PROJECT_ID: project.id,
          WORKSPACE_IDS: workspace.id,
          REGISTRAR_CREDENTIAL: stack.resourceRegistrar.credential,
        },
      },
    );
    const agent = JSON.parse(stdout);
    expect(agent).toMatchObject({
      kind: 'agent',
      name: 'reviewer',
      ownerUserId: admin.userId,
      projectId: project.id,
      workspaceIds: [workspace.id],
      visibility: 'private',
    });
    // The script's reply position stayed in its process: the reads wait for the store's head.
    saw(await stack.head());
    const listedBy = async (user: SignedInUser, query = ''): Promise<string[]> =>
      (
        await ok(session(user), { method: 'GET', path: `/v1/agents?limit=500${query}` })
      ).body.data.map((row: { id: string }) => row.id);
    expect(await listedBy(admin)).toContain(agent.id);
    expect(await listedBy(otherMember)).not.toContain(agent.id);
    expectError(
      await send(session(otherMember), { method: 'GET', path: itemPath('agent', agent.id) }),
      404,
      'not_found',
    );

    await ok(session(admin), {
      method: 'POST',
      path: itemPath('agent', agent.id, '/publish'),
      json: { visibility: 'org' },
    });
    expect(await listedBy(otherMember)).toContain(agent.id);
    expectError(
      await send(session(otherMember), {
        method: 'PATCH',
        path: itemPath('agent', agent.id),
        json: { name: 'mine' },
      }),
      403,
      'owner_or_admin_required',
    );
    // The Member's own private agents are theirs; the Admin lists them with all=true only.
    const membersOwn = world.memberResources.agent;
    expect(await listedBy(owner)).toContain(membersOwn);
    expect(await listedBy(admin)).not.toContain(membersOwn);
    expect(await listedBy(admin, '&all=true')).toContain(membersOwn);

    expectError(
      await send(session(admin), { method: 'DELETE', path: `/v1/workspaces/${workspace.id}` }),
      409,
      'WORKSPACE_IN_USE',
    );
    await ok(session(admin), {
      method: 'DELETE',
      path: `/v1/workspaces/${workspace.id}?force=true`,
    });
    await ok(session(admin), { method: 'DELETE', path: `/v1/projects/${project.id}` });
    expect(await listedBy(admin, `&projectId=${project.id}`)).toEqual([]);
  });
});

// --- what an organization starts with ------------------------------------------------------------

describe('a new organization', () => {
  it('has its default project and its creator’s Personal workspace as soon as the create answers', async () => {
    const founder = await signIn(stack, uniqueEmail('founder'));
    const created = expectStatus(
      await stack.request({
        method: 'POST',
        path: '/v1/organizations',
        token: founder.token,
        json: { name: 'Fresh' },
      }),
      201,
      'create an organization',
    );
    const { id, defaultProjectId, personalWorkspaceId } = created.body.data;
    // No consistency header and no waiting: the ids in the reply are readable at once.
    const inFresh = { [ORGANIZATION_HEADER]: id };
    const [project, workspace] = await Promise.all([
      stack.request({
        method: 'GET',
        path: `/v1/projects/${defaultProjectId}`,
        token: founder.token,
        headers: inFresh,
      }),
      stack.request({
        method: 'GET',
        path: `/v1/workspaces/${personalWorkspaceId}`,
        token: founder.token,
        headers: inFresh,
      }),
    ]);
    expect(project.status).toBe(200);
    expect(project.body.data).toMatchObject({
      id: defaultProjectId,
      organizationId: id,
      isDefault: true,
    });
    expect(workspace.status).toBe(200);
    expect(workspace.body.data).toMatchObject({
      id: personalWorkspaceId,
      organizationId: id,
      isPersonal: true,
      ownerUserId: founder.userId,
    });

    const listed = await stack.request({
      method: 'GET',
      path: '/v1/projects',
      token: founder.token,
      headers: inFresh,
    });
    expect(listed.body.data.map((row: { id: string }) => row.id)).toEqual([defaultProjectId]);
  });

  it('gives a member who joins their own Personal workspace, which the organization names', async () => {
    const newcomer = await signIn(stack, uniqueEmail('newcomer'));
    await joinWorld(stack, world, newcomer);
    const organization = expectStatus(
      await stack.request({
        method: 'GET',
        path: `/v1/organizations/${world.organizationId}`,
        token: newcomer.token,
      }),
      200,
      'read the organization',
    ).body.data;
    expect(organization.defaultProjectId).toBe(world.defaultProjectId);
    expect(organization.personalWorkspaceId).not.toBe(
      (await ok(session(owner), { method: 'GET', path: `/v1/organizations/current` })).body.data
        .personalWorkspaceId,
    );
    const workspace = await stack.request({
      method: 'GET',
      path: `/v1/workspaces/${organization.personalWorkspaceId}`,
      token: newcomer.token,
      headers: { [ORGANIZATION_HEADER]: world.organizationId },
    });
    expect(workspace.status).toBe(200);
    expect(workspace.body.data).toMatchObject({ isPersonal: true, ownerUserId: newcomer.userId });
  });
});

// --- the visibility matrix -----------------------------------------------------------------------

/**
 * Who asks. Sessions act in the world's organization, the outsider in their own (where they are
 * the Admin); the API keys are the owner's (a key acts as its owner) with several scopes, the
 * other Member's, the Admin's and the outsider's (made in the outsider's organization). `all` is
 * the list's `all=true`.
 */
interface Persona {
  who: 'owner' | 'otherMember' | 'admin' | 'outsider';
  scopes?: readonly Scope[];
  all?: true;
}
const PERSONAS = {
  owner: { who: 'owner' },
  otherMember: { who: 'otherMember' },
  admin: { who: 'admin' },
  adminAll: { who: 'admin', all: true },
  memberAll: { who: 'otherMember', all: true },
  nonMember: { who: 'outsider' },
  ownerKey: { who: 'owner', scopes: ['*'] },
  ownerAgentReadKey: { who: 'owner', scopes: ['agent:read'] },
  ownerAgentWriteKey: { who: 'owner', scopes: ['agent:write'] },
  ownerSandboxKey: { who: 'owner', scopes: ['sandbox:*'] },
  otherMemberKey: { who: 'otherMember', scopes: ['*'] },
  adminKey: { who: 'admin', scopes: ['*'] },
  adminKeyAll: { who: 'admin', scopes: ['*'], all: true },
  nonMemberKey: { who: 'outsider', scopes: ['*'] },
} as const satisfies Record<string, Persona>;
type PersonaName = keyof typeof PERSONAS;
const personaOf = (name: PersonaName): Persona => PERSONAS[name];
const userOf = (name: PersonaName): SignedInUser =>
  ({ owner, otherMember, admin, outsider })[personaOf(name).who];
/** Where the persona acts: the outsider in their own organization, the others in the world's. */
const organizationOf = (name: PersonaName): string =>
  personaOf(name).who === 'outsider' ? elsewhereId : world.organizationId;

/** Each key persona's key: made once, by its user, in the organization the persona acts in. */
const keys = new Map<PersonaName, { id: string; key: string }>();

async function keyOf(name: PersonaName): Promise<{ id: string; key: string }> {
  const persona = personaOf(name);
  if (!keys.has(name)) {
    const created = await createApiKey(stack, userOf(name), organizationOf(name), {
      name,
      scopes: persona.scopes,
    });
    seen(created.reply);
    keys.set(name, created);
  }
  return keys.get(name)!;
}

async function credentialsOf(name: PersonaName): Promise<Credentials> {
  const persona = personaOf(name);
  if (!persona.scopes) return session(userOf(name), organizationOf(name));
  return { headers: { [API_KEY_HEADER]: (await keyOf(name)).key } };
}

async function principalOf(name: PersonaName): Promise<Principal> {
  const persona = personaOf(name);
  return persona.scopes
    ? { type: 'apiKey', keyId: (await keyOf(name)).id }
    : { type: 'user', userId: userOf(name).userId };
}

const OPERATIONS = ['list', 'get', 'update', 'delete', 'publish'] as const;
type Operation = (typeof OPERATIONS)[number];
/** the action each route is, as `resources.v1.authorize` names it (`publish`: to `org`) */
const ACTION_OF: Record<Operation, ResourceAction> = {
  list: 'read',
  get: 'read',
  update: 'update',
  delete: 'delete',
  publish: 'publish',
};

/**
 * What the spec promises, worked out here without the service: a key needs its route's scope; a
 * Member's `all=true` is refused; another member's private resource does not exist for a Member;
 * changes need its owner or an Admin, publishing beyond private an Admin. A list holds the
 * resource when it is the caller's, not private, or listed by an Admin with `all=true`. From
 * another organization (its Admin's, there) only a public resource exists, to read, and lists
 * stay within the caller's organization.
 */
function expectedAnswer(
  name: PersonaName,
  kind: ResourceKind,
  visibility: ResourceVisibility,
  operation: Operation,
): { status: number; code?: string; listed?: boolean } {
  const persona = personaOf(name);
  const scope = RESOURCE_ACTION_SCOPES[kind][ACTION_OF[operation]];
  if (persona.scopes && !grantsScope(persona.scopes, scope)) {
    return { status: 403, code: 'insufficient_scope' };
  }
  if (persona.who === 'outsider') {
    if (operation === 'list') return { status: 200, listed: false };
    if (visibility !== 'public') return { status: 404, code: 'not_found' };
    return operation === 'get' ? { status: 200 } : { status: 403, code: 'owner_or_admin_required' };
  }
  const isOwner = persona.who === 'owner';
  const isAdmin = persona.who === 'admin';
  if (operation === 'list') {
    if (persona.all && !isAdmin) return { status: 403, code: 'admin_required' };
    return {
      status: 200,
      listed: isOwner || visibility !== 'private' || (persona.all === true && isAdmin),
    };
  }
  if (!isOwner && !isAdmin && visibility === 'private') return { status: 404, code: 'not_found' };
  switch (operation) {
    case 'get':
      return { status: 200 };
    case 'update':
    case 'delete':
      return isOwner || isAdmin
        ? { status: 200 }
        : { status: 403, code: 'owner_or_admin_required' };
    case 'publish':
      return isAdmin ? { status: 200 } : { status: 403, code: 'admin_required' };
  }
}

/**
 * The whole matrix on agents; the other kinds with every persona but the keys whose scopes name
 * agents alone or repeat another's.
 */
const SAMPLED_PERSONAS: readonly PersonaName[] = [
  'owner',
  'otherMember',
  'admin',
  'adminAll',
  'memberAll',
  'nonMember',
  'ownerKey',
  'ownerAgentReadKey',
  'ownerSandboxKey',
  'otherMemberKey',
  'adminKeyAll',
];
const KIND_PERSONAS: Record<ResourceKind, readonly PersonaName[]> = {
  agent: Object.keys(PERSONAS) as PersonaName[],
  sandbox: SAMPLED_PERSONAS,
  workflow: SAMPLED_PERSONAS,
  tool: SAMPLED_PERSONAS,
};
const VISIBILITIES: readonly ResourceVisibility[] = ['private', 'org', 'public'];

const matrix = (Object.keys(KIND_PERSONAS) as ResourceKind[]).flatMap((kind) =>
  KIND_PERSONAS[kind].flatMap((persona) =>
    VISIBILITIES.flatMap((visibility) =>
      OPERATIONS.filter((operation) => operation === 'list' || !personaOf(persona).all).map(
        (operation) => ({
          kind,
          persona,
          visibility,
          operation,
          ...expectedAnswer(persona, kind, visibility, operation),
        }),
      ),
    ),
  ),
);

/**
 * One resource per kind and visibility for the requests that leave access as it was (list, get,
 * rename); a deletion or a publication gets a resource of its own.
 */
const shared = new Map<string, Promise<string>>();
function sharedResource(kind: ResourceKind, visibility: ResourceVisibility): Promise<string> {
  const key = `${kind}:${visibility}`;
  if (!shared.has(key)) shared.set(key, resourceWith(kind, visibility));
  return shared.get(key)!;
}

function requestFor(
  kind: ResourceKind,
  id: string,
  operation: Operation,
  all: boolean,
): Omit<HttpRequest, 'token'> {
  switch (operation) {
    case 'list':
      return {
        method: 'GET',
        path: `/v1/${RESOURCE_COLLECTIONS[kind]}?limit=500${all ? '&all=true' : ''}`,
      };
    case 'get':
      return { method: 'GET', path: itemPath(kind, id) };
    case 'update':
      return {
        method: 'PATCH',
        path: itemPath(kind, id),
        json: { name: `Renamed ${id.slice(0, 8)}` },
      };
    case 'delete':
      return { method: 'DELETE', path: itemPath(kind, id) };
    case 'publish':
      return { method: 'POST', path: itemPath(kind, id, '/publish'), json: { visibility: 'org' } };
  }
}

describe('the visibility matrix, and the authorization answer over it', () => {
  it.each(matrix)(
    '$kind $visibility: $operation as $persona → $status',
    async ({ kind, persona, visibility, operation, status, code, listed }) => {
      const id =
        operation === 'delete' || operation === 'publish'
          ? await resourceWith(kind, visibility)
          : await sharedResource(kind, visibility);
      const credentials = await credentialsOf(persona);
      // Asked before the request, which may remove the resource or change its visibility.
      const answer =
        operation === 'list'
          ? null
          : await authorize(
              await principalOf(persona),
              ACTION_OF[operation],
              kind,
              id,
              organizationOf(persona),
            );

      const response = await send(
        credentials,
        requestFor(kind, id, operation, personaOf(persona).all === true),
      );

      expect({ status: response.status, code: response.body?.error?.code }).toEqual({
        status,
        code,
      });
      if (listed !== undefined) {
        const ids = response.body.data.map((row: { id: string }) => row.id);
        expect(ids.includes(id)).toBe(listed);
      }
      if (answer) {
        // The platform's answer is the HTTP API's: allowed exactly when the route succeeds, and
        // denied for the reason the route gives (a 404 is `not_found`).
        const httpOutcome =
          response.status < 300
            ? { allowed: true }
            : {
                allowed: false,
                reason: response.status === 404 ? 'not_found' : response.body.error.code,
              };
        expect(answer).toMatchObject(httpOutcome);
      }
    },
  );

  it('answers an unknown or foreign resource as not found, alike', async () => {
    const foreign = await registerResource(stack, {
      organizationId: elsewhereId,
      kind: 'agent',
      ownerUserId: outsider.userId,
    });
    for (const id of [foreign.id, '00000000-0000-4000-8000-000000000000']) {
      expectError(
        await send(session(admin), { method: 'GET', path: itemPath('agent', id) }),
        404,
        'not_found',
      );
      expect(
        await authorize({ type: 'user', userId: admin.userId }, 'read', 'agent', id),
      ).toMatchObject({ allowed: false, reason: 'not_found' });
    }
  });

  it('lets another organization’s public resource be read by id, run, and changed by nobody here', async () => {
    const foreign = await registerResource(stack, {
      organizationId: elsewhereId,
      kind: 'tool',
      ownerUserId: outsider.userId,
    });
    await ok(session(outsider, elsewhereId), {
      method: 'POST',
      path: itemPath('tool', foreign.id, '/publish'),
      json: { visibility: 'public' },
    });
    const read = await ok(session(otherMember), {
      method: 'GET',
      path: itemPath('tool', foreign.id),
    });
    // what it is and who published it, nothing of that organization's members or projects
    expect(read.body.data).toEqual({
      id: foreign.id,
      organizationId: elsewhereId,
      kind: 'tool',
      name: foreign.name,
      visibility: 'public',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const asAdmin = { type: 'user' as const, userId: admin.userId };
    expect(await authorize(asAdmin, 'run', 'tool', foreign.id)).toEqual({
      allowed: true,
      reason: 'public',
      role: 'admin',
    });
    // its organization's Admin is not ours: the Admin here changes nothing of it
    for (const [request, action] of [
      [{ method: 'PATCH', path: itemPath('tool', foreign.id), json: { name: 'Ours' } }, 'update'],
      [{ method: 'DELETE', path: itemPath('tool', foreign.id) }, 'delete'],
      [
        {
          method: 'POST',
          path: itemPath('tool', foreign.id, '/publish'),
          json: { visibility: 'private' },
        },
        'publish',
      ],
    ] as const) {
      const before = await stack.head();
      const refused = await send(session(admin), request);
      expectError(refused, 403, 'owner_or_admin_required');
      expect(await stack.writtenBy(refused.headers.get('x-request-id')!, before)).toEqual([]);
      expect(await authorize(asAdmin, action, 'tool', foreign.id)).toMatchObject({
        allowed: false,
        reason: 'owner_or_admin_required',
      });
    }
    // lists stay within the caller's organization
    const listed = await ok(session(admin), {
      method: 'GET',
      path: '/v1/tools?all=true&limit=500',
    });
    expect(listed.body.data.map((row: { id: string }) => row.id)).not.toContain(foreign.id);
  });
});

// --- projects ------------------------------------------------------------------------------------

describe('projects', () => {
  it('never grant or deny: a resource answers the same in any project', async () => {
    const project = (
      await ok(
        session(admin),
        { method: 'POST', path: '/v1/projects', json: { name: 'Apart' } },
        201,
      )
    ).body.data;
    const personas: PersonaName[] = [
      'owner',
      'otherMember',
      'admin',
      'ownerKey',
      'ownerSandboxKey',
    ];
    for (const visibility of VISIBILITIES) {
      const inDefault = await resourceWith('agent', visibility);
      const inProject = await resourceWith('agent', visibility);
      await ok(session(owner), {
        method: 'PATCH',
        path: itemPath('agent', inProject),
        json: { projectId: project.id },
      });
      for (const persona of personas) {
        const answers = await Promise.all(
          [inDefault, inProject].map(async (id) => ({
            http: (
              await send(await credentialsOf(persona), {
                method: 'GET',
                path: itemPath('agent', id),
              })
            ).status,
            platform: await authorize(await principalOf(persona), 'update', 'agent', id),
          })),
        );
        expect(answers[1]).toEqual(answers[0]);
      }
    }
    // The project filter only narrows the list.
    const listed = await ok(session(owner), {
      method: 'GET',
      path: `/v1/agents?projectId=${project.id}`,
    });
    expect(listed.body.data.map((row: { projectId: string }) => row.projectId)).toEqual(
      expect.arrayContaining([project.id]),
    );
    expect(
      listed.body.data.every((row: { projectId: string }) => row.projectId === project.id),
    ).toBe(true);
  });

  it('refuses to delete the default project', async () => {
    expectError(
      await send(session(admin), {
        method: 'DELETE',
        path: `/v1/projects/${world.defaultProjectId}`,
      }),
      409,
      'default_project',
    );
  });

  it('deleting one moves its resources, API keys and SSH keys to the default project, in one step', async () => {
    const project = (
      await ok(
        session(admin),
        { method: 'POST', path: '/v1/projects', json: { name: 'Doomed' } },
        201,
      )
    ).body.data;
    const moved = await Promise.all(
      ['agent', 'agent', 'agent', 'sandbox'].map((kind) =>
        register(kind as ResourceKind, owner.userId, { projectId: project.id }),
      ),
    );
    const apiKey = await createApiKey(stack, owner, world.organizationId, {
      name: 'In the doomed project',
      projectId: project.id,
    });
    seen(apiKey.reply);
    const sshKey = await ok(
      session(owner),
      {
        method: 'POST',
        path: '/v1/ssh-keys',
        json: { name: 'Doomed laptop', publicKey: newSshPublicKey(), projectId: project.id },
      },
      201,
    );
    const agents = moved.slice(0, 3);
    /** The agents' projects as a reader sees them; after a write when its reply is given. */
    const projectsOfAgents = async (write?: HttpResponse): Promise<string[]> => {
      const listed = await stack.request({
        method: 'GET',
        path: '/v1/agents?all=true&limit=500',
        token: admin.token,
        headers: { [ORGANIZATION_HEADER]: world.organizationId, ...(write ? after(write) : {}) },
      });
      return listed.body.data
        .filter((row: { id: string }) => agents.includes(row.id))
        .map((row: { projectId: string }) => row.projectId);
    };
    expect(await projectsOfAgents()).toEqual([project.id, project.id, project.id]);

    // A reader polls from before the DELETE is sent until a read begun after it answered: it
    // sees the agents all in the project, then all moved, never a mix.
    let deletion: HttpResponse | undefined;
    let answered = false;
    const observed: string[][] = [];
    let firstRead!: () => void;
    const polling = new Promise<void>((resolve) => (firstRead = resolve));
    const poll = (async () => {
      for (;;) {
        const last = answered;
        observed.push(await projectsOfAgents(last ? deletion : undefined));
        firstRead();
        if (last) return;
      }
    })();
    await polling;
    try {
      deletion = await send(session(admin), {
        method: 'DELETE',
        path: `/v1/projects/${project.id}`,
      });
    } finally {
      answered = true;
    }
    await poll;
    const deleted = expectStatus(deletion, 200, 'delete the project');
    expect(deleted.body.data).toEqual({
      id: project.id,
      deleted: true,
      movedTo: world.defaultProjectId,
    });
    const [all, allMoved] = [project.id, world.defaultProjectId].map((id) => [id, id, id]);
    expect(observed[0]).toEqual(all);
    expect(observed[observed.length - 1]).toEqual(allMoved);
    for (const projects of observed) expect([all, allMoved]).toContainEqual(projects);

    const listedInDefault = await ok(session(admin), {
      method: 'GET',
      path: `/v1/agents?all=true&projectId=${world.defaultProjectId}&limit=500`,
    });
    const inDefault = listedInDefault.body.data.map((row: { id: string }) => row.id);
    expect(inDefault).toEqual(expect.arrayContaining(agents));
    const sandbox = await ok(session(owner), {
      method: 'GET',
      path: itemPath('sandbox', moved[3]),
    });
    expect(sandbox.body.data.projectId).toBe(world.defaultProjectId);
    expect(
      (await ok(session(owner), { method: 'GET', path: `/v1/agents?projectId=${project.id}` })).body
        .data,
    ).toEqual([]);
    expect(
      (await ok(session(owner), { method: 'GET', path: `/v1/api-keys/${apiKey.id}` })).body.data
        .projectId,
    ).toBe(world.defaultProjectId);
    expect(
      (await ok(session(owner), { method: 'GET', path: `/v1/ssh-keys/${sshKey.body.data.id}` }))
        .body.data.projectId,
    ).toBe(world.defaultProjectId);
    expectError(
      await send(session(admin), { method: 'GET', path: `/v1/projects/${project.id}` }),
      404,
      'not_found',
    );
  });

  it('Members read projects; only Admins write them', async () => {
    await ok(session(otherMember), { method: 'GET', path: `/v1/projects/${world.projectId}` });
    expectError(
      await send(session(otherMember), {
        method: 'PATCH',
        path: `/v1/projects/${world.projectId}`,
        json: { name: 'Mine now' },
      }),
      403,
      'admin_required',
    );
    const renamed = await ok(session(admin), {
      method: 'PATCH',
      path: `/v1/projects/${world.projectId}`,
      json: { name: 'Renamed', color: '#AABBCC' },
    });
    expect(renamed.body.data).toMatchObject({ name: 'Renamed', color: '#aabbcc' });
  });
});

// --- workspaces ----------------------------------------------------------------------------------

describe('workspaces', () => {
  const personalOf = async (user: SignedInUser): Promise<string> =>
    (await ok(session(user), { method: 'GET', path: '/v1/organizations/current' })).body.data
      .personalWorkspaceId;
  const idsOf = (response: HttpResponse): string[] =>
    response.body.data.map((row: { id: string }) => row.id);

  it('a Personal workspace is its owner’s and the Admins’ to see', async () => {
    const ownersPersonal = await personalOf(owner);
    await ok(session(owner), { method: 'GET', path: `/v1/workspaces/${ownersPersonal}` });
    await ok(session(admin), { method: 'GET', path: `/v1/workspaces/${ownersPersonal}` });
    expectError(
      await send(session(otherMember), { method: 'GET', path: `/v1/workspaces/${ownersPersonal}` }),
      404,
      'not_found',
    );

    const othersList = idsOf(
      await ok(session(otherMember), { method: 'GET', path: '/v1/workspaces' }),
    );
    expect(othersList).toContain(await personalOf(otherMember));
    expect(othersList).toContain(world.memberWorkspaceId);
    expect(othersList).not.toContain(ownersPersonal);

    const everyone = idsOf(
      await ok(session(admin), { method: 'GET', path: '/v1/workspaces?all=true&limit=500' }),
    );
    expect(everyone).toEqual(
      expect.arrayContaining([
        ownersPersonal,
        await personalOf(otherMember),
        await personalOf(admin),
        world.memberWorkspaceId,
      ]),
    );
    expectError(
      await send(session(otherMember), { method: 'GET', path: '/v1/workspaces?all=true' }),
      403,
      'admin_required',
    );
    expectError(
      await send(session(owner), { method: 'DELETE', path: `/v1/workspaces/${ownersPersonal}` }),
      409,
      'personal_workspace',
    );
  });

  describe('files scopes: files:read reads, files:write writes, files:* both', () => {
    const keyWith = async (scopes: Scope[]): Promise<Credentials> => {
      const created = await createApiKey(stack, owner, world.organizationId, {
        name: `files ${scopes.join(' ')}`,
        scopes,
      });
      seen(created.reply);
      return { headers: { [API_KEY_HEADER]: created.key } };
    };
    const expectScopeRefusal = async (
      as: Credentials,
      request: Omit<HttpRequest, 'token'>,
      requiredScope: Scope,
    ) => {
      const before = await stack.head();
      const refused = await send(as, request);
      expectError(refused, 403, 'insufficient_scope');
      expect(refused.body.error.details).toMatchObject({ requiredScope });
      expect(await stack.writtenBy(refused.headers.get('x-request-id')!, before)).toEqual([]);
    };
    /** Creates, renames and deletes a workspace as `as`; its id. */
    const writeCycle = async (as: Credentials, name: string): Promise<string> => {
      const created = (
        await ok(as, { method: 'POST', path: '/v1/workspaces', json: { name } }, 201)
      ).body.data;
      expect(created).toMatchObject({ name, ownerUserId: owner.userId, isPersonal: false });
      const renamed = await ok(as, {
        method: 'PATCH',
        path: `/v1/workspaces/${created.id}`,
        json: { name: `${name} renamed` },
      });
      expect(renamed.body.data.name).toBe(`${name} renamed`);
      const deleted = await ok(as, { method: 'DELETE', path: `/v1/workspaces/${created.id}` });
      expect(deleted.body.data).toMatchObject({ id: created.id, deleted: true });
      return created.id;
    };

    it('files:read reads and is refused every write', async () => {
      const asReader = await keyWith(['files:read']);
      await ok(asReader, { method: 'GET', path: `/v1/workspaces/${world.memberWorkspaceId}` });
      await ok(asReader, {
        method: 'GET',
        path: `/v1/workspaces/${world.memberWorkspaceId}/usage`,
      });
      expect(idsOf(await ok(asReader, { method: 'GET', path: '/v1/workspaces' }))).toContain(
        world.memberWorkspaceId,
      );
      for (const request of [
        { method: 'POST', path: '/v1/workspaces', json: { name: 'Nope' } },
        {
          method: 'PATCH',
          path: `/v1/workspaces/${world.memberWorkspaceId}`,
          json: { name: 'No' },
        },
        { method: 'DELETE', path: `/v1/workspaces/${world.memberWorkspaceId}` },
      ] as const) {
        await expectScopeRefusal(asReader, request, 'files:write');
      }
    });

    it('files:write creates, renames and deletes, and is refused every read', async () => {
      const asWriter = await keyWith(['files:write']);
      const written = await writeCycle(asWriter, 'Written by key');
      for (const path of [
        '/v1/workspaces',
        `/v1/workspaces/${world.memberWorkspaceId}`,
        `/v1/workspaces/${world.memberWorkspaceId}/usage`,
      ]) {
        await expectScopeRefusal(asWriter, { method: 'GET', path }, 'files:read');
      }
      expectError(
        await send(session(owner), { method: 'GET', path: `/v1/workspaces/${written}` }),
        404,
        'not_found',
      );
    });

    it('files:* reads and writes', async () => {
      const asBoth = await keyWith(['files:*']);
      const id = await writeCycle(asBoth, 'Both ways');
      expectError(
        await send(asBoth, { method: 'GET', path: `/v1/workspaces/${id}` }),
        404,
        'not_found',
      );
      await ok(asBoth, { method: 'GET', path: `/v1/workspaces/${world.memberWorkspaceId}` });
      expect(idsOf(await ok(asBoth, { method: 'GET', path: '/v1/workspaces' }))).toContain(
        world.memberWorkspaceId,
      );
    });
  });

  it('takes the reference’s orgId when it names the organization acted in, and refuses another', async () => {
    const named = await ok(
      session(owner),
      {
        method: 'POST',
        path: '/v1/workspaces',
        json: { name: 'Named organization', orgId: world.organizationId },
      },
      201,
    );
    expect(named.body.data).toMatchObject({
      organizationId: world.organizationId,
      slug: 'named-organization',
    });
    for (const orgId of [elsewhereId, '00000000-0000-4000-8000-000000000000']) {
      const before = await stack.head();
      const refused = await send(session(owner), {
        method: 'POST',
        path: '/v1/workspaces',
        json: { name: 'Somewhere else', orgId },
      });
      expectError(refused, 403, 'organization_mismatch');
      expect(await stack.writtenBy(refused.headers.get('x-request-id')!, before)).toEqual([]);
    }
    expectError(
      await send(session(owner), {
        method: 'POST',
        path: '/v1/workspaces',
        json: { name: 'Somewhere else', orgId: 'not-a-uuid' },
      }),
      400,
      'validation_failed',
    );
  });

  it('one in use is a 409 WORKSPACE_IN_USE; usage names what uses it; force=true detaches them', async () => {
    const workspace = (
      await ok(
        session(owner),
        { method: 'POST', path: '/v1/workspaces', json: { name: 'Shared data' } },
        201,
      )
    ).body.data;
    expect(workspace).toMatchObject({
      isPersonal: false,
      ownerUserId: owner.userId,
      slug: 'shared-data',
    });
    const agent = await register('agent', owner.userId, {
      name: 'Uses the data',
      workspaceIds: [workspace.id],
    });
    const sandbox = await register('sandbox', owner.userId, { workspaceIds: [workspace.id] });

    const usage = await ok(session(owner), {
      method: 'GET',
      path: `/v1/workspaces/${workspace.id}/usage`,
    });
    expect(usage.body.data).toMatchObject({
      workspaceId: workspace.id,
      inUse: true,
      hiddenCount: 0,
    });
    expect(usage.body.data.resources).toEqual(
      expect.arrayContaining([
        { kind: 'agent', id: agent, name: 'Uses the data' },
        expect.objectContaining({ kind: 'sandbox', id: sandbox }),
      ]),
    );
    // Another Member may not see the owner's private resources, only that they exist.
    const asOther = await ok(session(otherMember), {
      method: 'GET',
      path: `/v1/workspaces/${workspace.id}/usage`,
    });
    expect(asOther.body.data).toMatchObject({ inUse: true, resources: [], hiddenCount: 2 });

    const before = await stack.head();
    const refused = await send(session(owner), {
      method: 'DELETE',
      path: `/v1/workspaces/${workspace.id}`,
    });
    expectError(refused, 409, 'WORKSPACE_IN_USE');
    expect(await stack.writtenBy(refused.headers.get('x-request-id')!, before)).toEqual([]);

    const deleted = await ok(session(owner), {
      method: 'DELETE',
      path: `/v1/workspaces/${workspace.id}?force=true`,
    });
    expect(deleted.body.data).toEqual({
      id: workspace.id,
      deleted: true,
      detachedFrom: expect.arrayContaining([agent, sandbox]),
    });
    expect(
      (await ok(session(owner), { method: 'GET', path: itemPath('agent', agent) })).body.data
        .workspaceIds,
    ).toEqual([]);
    expectError(
      await send(session(owner), { method: 'GET', path: `/v1/workspaces/${workspace.id}` }),
      404,
      'not_found',
    );
  });
});

// --- a member's removal --------------------------------------------------------------------------

describe('removing a member', () => {
  it('hands their private resources to the Admin who removed them, with the cause recorded', async () => {
    const leaving = await signIn(stack, uniqueEmail('leaving'));
    seen(await joinWorld(stack, world, leaving));
    const privateAgent = await register('agent', leaving.userId);
    const published = await register('agent', leaving.userId);
    await ok(session(admin), {
      method: 'POST',
      path: itemPath('agent', published, '/publish'),
      json: { visibility: 'org' },
    });

    const removal = await ok(session(admin), {
      method: 'DELETE',
      path: `/v1/organizations/${world.organizationId}/members/${leaving.userId}`,
    });

    // A reaction to the removal: it lands after the removal's reply.
    const handed = await eventually(
      async () => {
        const agent = await stack.request({
          method: 'GET',
          path: itemPath('agent', privateAgent),
          token: admin.token,
          headers: { [ORGANIZATION_HEADER]: world.organizationId },
        });
        expect(agent.body.data?.ownerUserId).toBe(admin.userId);
        return agent;
      },
      { timeoutMs: 10_000 },
    );
    expect(handed.body.data.visibility).toBe('private');
    const events = await stack.store.readStream(resourceStreamName(privateAgent));
    const change = events.find(({ type }) => type === 'ResourceOwnerChanged');
    expect(change?.data).toMatchObject({
      ownerUserId: admin.userId,
      previousOwnerUserId: leaving.userId,
      cause: { reason: 'member_removed' },
    });
    expect(change?.metadata.correlationId).toBe(removal.headers.get('x-request-id'));
    // Only private ones are handed over.
    expect(
      (await ok(session(admin), { method: 'GET', path: itemPath('agent', published) })).body.data
        .ownerUserId,
    ).toBe(leaving.userId);
  });
});
