import { createHash, randomBytes } from 'node:crypto';
import {
  defaultProjectIdOf,
  MEMBERSHIP_SUBJECTS,
  personalWorkspaceIdOf,
  resourceEvents,
  resourceStreamName,
  RESOURCES_SUBJECTS as SUBJECTS,
  type Caller,
  type ProjectView,
  type ResourceKind,
  type ResourceView,
  type ResourceVisibility,
  type Scope,
  type WorkspaceView,
} from '@orgplane/contracts';
import { eventually, memberCaller, refusal } from '@orgplane/testing';
import { newId } from '@orgplane/util';
import { startResourcesHarness, type ResourcesHarness } from './support/resources-harness';

jest.setTimeout(180_000);

/** The platform service allowed to register: the agent runner. */
const agentRunner = { service: 'agent-runner', token: randomBytes(24).toString('hex') };
const credentialOf = ({ service, token }: { service: string; token: string }) =>
  `${service}:${token}`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let harness: ResourcesHarness;

beforeAll(async () => {
  harness = await startResourcesHarness('resources_reg', {
    RESOURCES_REGISTRARS: `${agentRunner.service}:${sha256(agentRunner.token)}`,
  });
});

afterAll(async () => {
  await harness?.close();
});

function call<Data>(subject: string, payload: unknown, as: Caller) {
  return harness.call<Data>(subject, payload, as);
}

/** A platform service's request; the agent runner's credential unless told otherwise. */
function asRegistrar<Data>(
  subject: string,
  payload: unknown,
  serviceCredential: string | null = credentialOf(agentRunner),
) {
  return harness.request<Data>(subject, payload, null, {
    serviceCredential: serviceCredential ?? undefined,
  });
}

/**
 * How many events the registry's streams hold: the reactions to membership's events (default
 * projects, Personal workspaces) append elsewhere at their own pace.
 */
async function registryEvents(): Promise<number> {
  const events = await harness.store.readAll();
  return events.filter((event) => event.streamName.startsWith(resourceStreamName(''))).length;
}

/** An organization made through membership: ada its Admin, bob and cyd Members. */
async function organization() {
  const [adaId, bobId, cydId] = [newId(), newId(), newId()];
  const { id: organizationId } = await harness.createOrganization(adaId);
  return {
    organizationId,
    ids: { ada: adaId, bob: bobId, cyd: cydId },
    ada: memberCaller(adaId, organizationId, 'admin'),
    bob: await harness.join(organizationId, bobId),
    cyd: await harness.join(organizationId, cydId),
  };
}
type Organization = Awaited<ReturnType<typeof organization>>;

async function register(
  organizationId: string,
  ownerUserId: string,
  settings: { kind?: ResourceKind; projectId?: string; workspaceIds?: string[] } = {},
): Promise<ResourceView> {
  const reply = await asRegistrar<ResourceView>(SUBJECTS.registerResource, {
    organizationId,
    kind: 'agent',
    resourceId: newId(),
    name: 'Support bot',
    ownerUserId,
    ...settings,
  });
  return reply.data;
}

/** A resource of bob's in `projectId`, published to `visibility` by the Admin. */
async function bobsResource(
  acme: Organization,
  visibility: ResourceVisibility,
  projectId?: string,
): Promise<ResourceView> {
  const resource = await register(acme.organizationId, acme.ids.bob, { projectId });
  if (visibility === 'private') return resource;
  return call<ResourceView>(
    SUBJECTS.publishResource,
    { kind: 'agent', resourceId: resource.id, visibility },
    acme.ada,
  );
}

async function list(as: Caller, filters: object = {}): Promise<string[]> {
  const found = await call<ResourceView[]>(
    SUBJECTS.listResources,
    { kind: 'agent', limit: 500, ...filters },
    as,
  );
  return found.map((resource) => resource.id);
}

/** `ok`, or the code the request was refused with. */
async function outcome(request: Promise<unknown>): Promise<string> {
  return request.then(
    () => 'ok',
    (error: { code?: string }) => error.code ?? String(error),
  );
}

describe('registering over NATS (platform services)', () => {
  it('refuses a service without a registered credential, appending nothing', async () => {
    const acme = await organization();
    const before = await registryEvents();
    const payload = {
      organizationId: acme.organizationId,
      kind: 'agent',
      resourceId: newId(),
      name: 'Bot',
      ownerUserId: acme.ids.bob,
    };
    for (const credential of [
      null,
      'agent-runner',
      `agent-runner:${randomBytes(24).toString('hex')}`,
      `tool-hub:${agentRunner.token}`,
    ]) {
      const refused = await refusal(asRegistrar(SUBJECTS.registerResource, payload, credential));
      expect(refused).toMatchObject({ kind: 'forbidden', code: 'registrar_not_authorized' });
    }
    for (const subject of [SUBJECTS.updateRegisteredResource, SUBJECTS.removeRegisteredResource]) {
      const refused = await refusal(asRegistrar(subject, { resourceId: newId() }, null));
      expect(refused.code).toBe('registrar_not_authorized');
    }
    expect(await registryEvents()).toBe(before);
  });

  it('registers a private resource in the default project, once per id', async () => {
    const acme = await organization();
    const resourceId = newId();
    const payload = {
      organizationId: acme.organizationId,
      kind: 'agent',
      resourceId,
      name: '  Support bot ',
      ownerUserId: acme.ids.bob,
    };
    const first = await asRegistrar<ResourceView>(SUBJECTS.registerResource, payload);
    expect(first.position).toBeDefined();
    expect(first.data).toMatchObject({
      id: resourceId,
      organizationId: acme.organizationId,
      kind: 'agent',
      name: 'Support bot',
      ownerUserId: acme.ids.bob,
      projectId: defaultProjectIdOf(acme.organizationId),
      visibility: 'private',
      workspaceIds: [],
      registeredBy: 'agent-runner',
    });
    const elsewhere = await organization();
    const before = await registryEvents();
    const again = await asRegistrar<ResourceView>(SUBJECTS.registerResource, payload);
    expect(again).toEqual({ data: first.data });
    const otherKind = await refusal(
      asRegistrar(SUBJECTS.registerResource, { ...payload, kind: 'tool' }),
    );
    expect(otherKind).toMatchObject({ kind: 'conflict', code: 'resource_id_taken' });
    const otherOrganization = await refusal(
      asRegistrar(SUBJECTS.registerResource, {
        ...payload,
        organizationId: elsewhere.organizationId,
        ownerUserId: elsewhere.ids.bob,
      }),
    );
    expect(otherOrganization.code).toBe('resource_id_taken');
    expect(await registryEvents()).toBe(before);
    expect(await call(SUBJECTS.getResource, { kind: 'agent', resourceId }, acme.bob)).toEqual(
      first.data,
    );
  });

  it('checks the project, the workspaces and the owner it names', async () => {
    const acme = await organization();
    const elsewhere = await organization();
    const foreignProject = await call<ProjectView>(
      SUBJECTS.createProject,
      { name: 'Theirs' },
      elsewhere.ada,
    );
    const before = await registryEvents();
    const at = (settings: object) =>
      refusal(
        asRegistrar(SUBJECTS.registerResource, {
          organizationId: acme.organizationId,
          kind: 'sandbox',
          resourceId: newId(),
          name: 'Box',
          ownerUserId: acme.ids.bob,
          ...settings,
        }),
      );
    expect(await at({ projectId: newId() })).toMatchObject({ code: 'project_not_found' });
    expect(await at({ projectId: foreignProject.id })).toMatchObject({
      code: 'project_not_found',
    });
    expect(await at({ workspaceIds: [newId()] })).toMatchObject({ code: 'workspace_not_found' });
    const personal = personalWorkspaceIdOf(acme.organizationId, acme.ids.bob);
    await eventually(async () =>
      expect(
        (await call<WorkspaceView>(SUBJECTS.getWorkspace, { workspaceId: personal }, acme.bob))
          .isPersonal,
      ).toBe(true),
    );
    expect(await at({ workspaceIds: [personal] })).toMatchObject({
      kind: 'validation',
      code: 'personal_workspace_not_mountable',
    });
    expect(await at({ ownerUserId: newId() })).toMatchObject({ code: 'owner_not_a_member' });
    expect(await at({ ownerUserId: elsewhere.ids.ada })).toMatchObject({
      code: 'owner_not_a_member',
    });
    expect(await at({ kind: 'robot', name: '' })).toMatchObject({
      kind: 'validation',
      details: { fields: { kind: expect.any(Array) } },
    });
    expect(await at({ name: '   ' })).toMatchObject({ kind: 'validation' });
    expect(await registryEvents()).toBe(before);
  });

  it('refuses an update that would mount a Personal workspace, appending nothing', async () => {
    const acme = await organization();
    const resource = await register(acme.organizationId, acme.ids.bob);
    const personal = personalWorkspaceIdOf(acme.organizationId, acme.ids.bob);
    await eventually(async () =>
      expect(
        (await call<WorkspaceView>(SUBJECTS.getWorkspace, { workspaceId: personal }, acme.bob))
          .isPersonal,
      ).toBe(true),
    );
    const before = await registryEvents();
    expect(
      await refusal(
        asRegistrar(SUBJECTS.updateRegisteredResource, {
          resourceId: resource.id,
          name: 'Mounts a Personal workspace',
          workspaceIds: [personal],
        }),
      ),
    ).toMatchObject({ kind: 'validation', code: 'personal_workspace_not_mountable' });
    expect(await registryEvents()).toBe(before);
    expect(
      await call<ResourceView>(
        SUBJECTS.getResource,
        { kind: 'agent', resourceId: resource.id },
        acme.bob,
      ),
    ).toMatchObject({ name: 'Support bot', workspaceIds: [] });
  });

  it('updates and removes what it registered; a second removal records nothing', async () => {
    const acme = await organization();
    const project = await call<ProjectView>(SUBJECTS.createProject, { name: 'Bots' }, acme.ada);
    const workspace = await call<WorkspaceView>(
      SUBJECTS.createWorkspace,
      { name: 'Shared data' },
      acme.ada,
    );
    const resource = await register(acme.organizationId, acme.ids.bob);
    const updated = await asRegistrar<ResourceView>(SUBJECTS.updateRegisteredResource, {
      resourceId: resource.id,
      name: 'Support bot v2',
      projectId: project.id,
      workspaceIds: [workspace.id],
    });
    expect(updated.data).toMatchObject({
      name: 'Support bot v2',
      projectId: project.id,
      workspaceIds: [workspace.id],
    });
    const before = await registryEvents();
    const same = await asRegistrar<ResourceView>(SUBJECTS.updateRegisteredResource, {
      resourceId: resource.id,
      name: 'Support bot v2',
    });
    expect(same.position).toBeUndefined();
    expect(await registryEvents()).toBe(before);

    const removed = await asRegistrar(SUBJECTS.removeRegisteredResource, {
      resourceId: resource.id,
    });
    expect(removed.data).toEqual({ id: resource.id, removed: true });
    const again = await asRegistrar(SUBJECTS.removeRegisteredResource, {
      resourceId: resource.id,
    });
    expect(again).toEqual({ data: { id: resource.id, removed: true } });
    const gone = await refusal(
      call(SUBJECTS.getResource, { kind: 'agent', resourceId: resource.id }, acme.bob),
    );
    expect(gone.kind).toBe('not_found');
    const unknown = await refusal(
      asRegistrar(SUBJECTS.updateRegisteredResource, { resourceId: newId(), name: 'x' }),
    );
    expect(unknown.kind).toBe('not_found');
  });
});

/**
 * Who sees and does what (SPEC "Resources and visibility"), for a resource of bob's (a Member):
 * `publish` publishes a private or public one to the organization and takes an org one back to
 * private (which its owner may); `all` lists with all=true.
 */
const MATRIX: Record<
  'owner' | 'otherMember' | 'admin' | 'nonMember',
  Record<
    ResourceVisibility,
    Record<'list' | 'all' | 'get' | 'update' | 'publish' | 'delete', string>
  >
> = {
  owner: {
    private: {
      list: 'listed',
      all: 'admin_required',
      get: 'ok',
      update: 'ok',
      publish: 'admin_required',
      delete: 'ok',
    },
    org: {
      list: 'listed',
      all: 'admin_required',
      get: 'ok',
      update: 'ok',
      publish: 'ok',
      delete: 'ok',
    },
    public: {
      list: 'listed',
      all: 'admin_required',
      get: 'ok',
      update: 'ok',
      publish: 'admin_required',
      delete: 'ok',
    },
  },
  otherMember: {
    private: {
      list: 'unlisted',
      all: 'admin_required',
      get: 'not_found',
      update: 'not_found',
      publish: 'not_found',
      delete: 'not_found',
    },
    org: {
      list: 'listed',
      all: 'admin_required',
      get: 'ok',
      update: 'owner_or_admin_required',
      publish: 'owner_or_admin_required',
      delete: 'owner_or_admin_required',
    },
    public: {
      list: 'listed',
      all: 'admin_required',
      get: 'ok',
      update: 'owner_or_admin_required',
      publish: 'admin_required',
      delete: 'owner_or_admin_required',
    },
  },
  admin: {
    private: {
      list: 'unlisted',
      all: 'listed',
      get: 'ok',
      update: 'ok',
      publish: 'ok',
      delete: 'ok',
    },
    org: { list: 'listed', all: 'listed', get: 'ok', update: 'ok', publish: 'ok', delete: 'ok' },
    public: { list: 'listed', all: 'listed', get: 'ok', update: 'ok', publish: 'ok', delete: 'ok' },
  },
  nonMember: {
    private: {
      list: 'unlisted',
      all: 'unlisted',
      get: 'not_found',
      update: 'not_found',
      publish: 'not_found',
      delete: 'not_found',
    },
    org: {
      list: 'unlisted',
      all: 'unlisted',
      get: 'not_found',
      update: 'not_found',
      publish: 'not_found',
      delete: 'not_found',
    },
    // public reaches beyond the organization, to read only; lists stay within the caller's
    public: {
      list: 'unlisted',
      all: 'unlisted',
      get: 'ok',
      update: 'owner_or_admin_required',
      publish: 'owner_or_admin_required',
      delete: 'owner_or_admin_required',
    },
  },
};

describe('the visibility matrix', () => {
  /** What each action answers `as`, for a fresh resource of bob's of `visibility` in `projectId`. */
  async function answers(
    acme: Organization,
    as: Caller,
    visibility: ResourceVisibility,
    projectId: string | undefined,
  ) {
    const fresh = () => bobsResource(acme, visibility, projectId);
    const listed = async (filters: object) => {
      const resource = await fresh();
      const code = await outcome(list(as, filters));
      if (code !== 'ok') return code;
      return (await list(as, filters)).includes(resource.id) ? 'listed' : 'unlisted';
    };
    const ref = async () => ({ kind: 'agent', resourceId: (await fresh()).id });
    return {
      list: await listed({}),
      all: await listed({ all: true }),
      get: await outcome(call(SUBJECTS.getResource, await ref(), as)),
      update: await outcome(
        call(SUBJECTS.updateResource, { ...(await ref()), name: 'Renamed' }, as),
      ),
      publish: await outcome(
        call(
          SUBJECTS.publishResource,
          { ...(await ref()), visibility: visibility === 'org' ? 'private' : 'org' },
          as,
        ),
      ),
      delete: await outcome(call(SUBJECTS.deleteResource, await ref(), as)),
    };
  }

  it('answers as the rules say, and the same in any project: projects never grant or deny', async () => {
    const acme = await organization();
    const elsewhere = await organization();
    const project = await call<ProjectView>(SUBJECTS.createProject, { name: 'Labs' }, acme.ada);
    const actors = {
      owner: acme.bob,
      otherMember: acme.cyd,
      admin: acme.ada,
      nonMember: elsewhere.ada,
    };
    for (const projectId of [undefined, project.id]) {
      for (const [actor, as] of Object.entries(actors) as [keyof typeof MATRIX, Caller][]) {
        for (const visibility of ['private', 'org', 'public'] as const) {
          const got = await answers(acme, as, visibility, projectId);
          expect({ actor, visibility, projectId, ...got }).toEqual({
            actor,
            visibility,
            projectId,
            ...MATRIX[actor][visibility],
          });
        }
      }
    }
  });

  it('limits API keys to their scopes, whatever their owner may do', async () => {
    const acme = await organization();
    const resource = await bobsResource(acme, 'org');
    const key = (scopes: Scope[]): Caller => ({
      type: 'apiKey',
      keyId: newId(),
      userId: acme.ids.ada,
      organizationId: acme.organizationId,
      role: 'admin',
      scopes,
    });
    const ref = { kind: 'agent', resourceId: resource.id };
    const rename = { ...ref, name: 'By key' };
    const reader = key(['agent:read']);
    expect(await outcome(call(SUBJECTS.getResource, ref, reader))).toBe('ok');
    expect(await outcome(list(reader))).toBe('ok');
    expect(await outcome(call(SUBJECTS.updateResource, rename, reader))).toBe('insufficient_scope');
    const writer = key(['agent:write']);
    expect(await outcome(call(SUBJECTS.getResource, ref, writer))).toBe('insufficient_scope');
    expect(await outcome(list(writer))).toBe('insufficient_scope');
    expect(await outcome(call(SUBJECTS.updateResource, rename, writer))).toBe('ok');
    const sandboxes = key(['sandbox:*']);
    expect(await outcome(call(SUBJECTS.getResource, ref, sandboxes))).toBe('insufficient_scope');
    const everything = key(['*']);
    expect(await outcome(call(SUBJECTS.deleteResource, ref, everything))).toBe('ok');
  });
});

describe('the registry over HTTP', () => {
  it('filters by project and visibility, in keyset pages, oldest first', async () => {
    const acme = await organization();
    const project = await call<ProjectView>(SUBJECTS.createProject, { name: 'Labs' }, acme.ada);
    const inDefault = await bobsResource(acme, 'private');
    const inProject = [
      await bobsResource(acme, 'org', project.id),
      await bobsResource(acme, 'private', project.id),
    ];
    expect(await list(acme.bob, { projectId: project.id })).toEqual(inProject.map((r) => r.id));
    expect(await list(acme.bob, { projectId: defaultProjectIdOf(acme.organizationId) })).toEqual([
      inDefault.id,
    ]);
    expect(await list(acme.bob, { visibility: 'org' })).toEqual([inProject[0].id]);
    const first = await harness.request<ResourceView[]>(
      SUBJECTS.listResources,
      { kind: 'agent', limit: 2 },
      acme.bob,
    );
    expect(first.data.map((r) => r.id)).toEqual([inDefault.id, inProject[0].id]);
    expect(first.page?.hasMore).toBe(true);
    const second = await harness.request<ResourceView[]>(
      SUBJECTS.listResources,
      { kind: 'agent', limit: 2, cursor: first.page?.nextCursor },
      acme.bob,
    );
    expect(second.data.map((r) => r.id)).toEqual([inProject[1].id]);
    expect(second.page).toEqual({ hasMore: false, nextCursor: null });
    expect(await list(acme.bob, { kind: 'tool' } as object)).toEqual([]);
  });

  it('moves a resource to another project of the organization only', async () => {
    const acme = await organization();
    const elsewhere = await organization();
    const project = await call<ProjectView>(SUBJECTS.createProject, { name: 'Labs' }, acme.ada);
    const theirs = await call<ProjectView>(SUBJECTS.createProject, { name: 'X' }, elsewhere.ada);
    const resource = await bobsResource(acme, 'private');
    const ref = { kind: 'agent', resourceId: resource.id };
    const moved = await call<ResourceView>(
      SUBJECTS.updateResource,
      { ...ref, projectId: project.id, name: 'Moved' },
      acme.bob,
    );
    expect(moved).toMatchObject({ projectId: project.id, name: 'Moved' });
    for (const projectId of [theirs.id, newId()]) {
      const refused = await refusal(call(SUBJECTS.updateResource, { ...ref, projectId }, acme.bob));
      expect(refused).toMatchObject({ kind: 'not_found', code: 'project_not_found' });
    }
    const asTool = await refusal(
      call(SUBJECTS.getResource, { kind: 'tool', resourceId: resource.id }, acme.bob),
    );
    expect(asTool.code).toBe('not_found');
  });

  it('publishes: the same visibility records nothing; public needs the organization’s consent', async () => {
    const acme = await organization();
    const resource = await bobsResource(acme, 'org');
    const ref = { kind: 'agent', resourceId: resource.id };
    const before = await registryEvents();
    const same = await harness.request(
      SUBJECTS.publishResource,
      { ...ref, visibility: 'org' },
      acme.ada,
    );
    expect(same.position).toBeUndefined();
    expect(await registryEvents()).toBe(before);
    await call(
      MEMBERSHIP_SUBJECTS.updateOrganization,
      { organizationId: acme.organizationId, settings: { allowPublicResources: false } },
      acme.ada,
    );
    const refused = await refusal(
      call(SUBJECTS.publishResource, { ...ref, visibility: 'public' }, acme.ada),
    );
    expect(refused).toMatchObject({ kind: 'forbidden', code: 'public_resources_disabled' });
    await call(
      MEMBERSHIP_SUBJECTS.updateOrganization,
      { organizationId: acme.organizationId, settings: { allowPublicResources: true } },
      acme.ada,
    );
    const published = await call<ResourceView>(
      SUBJECTS.publishResource,
      { ...ref, visibility: 'public' },
      acme.ada,
    );
    expect(published.visibility).toBe('public');
  });

  it('refuses bad input with 400 and appends nothing', async () => {
    const acme = await organization();
    const resource = await bobsResource(acme, 'private');
    const before = await registryEvents();
    const bad: [string, object][] = [
      [SUBJECTS.listResources, { kind: 'agent', limit: 0 }],
      [SUBJECTS.listResources, { kind: 'robots' }],
      [SUBJECTS.listResources, { kind: 'agent', cursor: 'not-a-cursor' }],
      [SUBJECTS.getResource, { kind: 'agent', resourceId: 'nope' }],
      [SUBJECTS.updateResource, { kind: 'agent', resourceId: resource.id, owner: 'me' }],
      [SUBJECTS.updateResource, { kind: 'agent', resourceId: resource.id, name: '\u0000' }],
      [SUBJECTS.publishResource, { kind: 'agent', resourceId: resource.id, visibility: 'all' }],
      [SUBJECTS.deleteResource, { kind: 'agent' }],
    ];
    for (const [subject, payload] of bad) {
      const refused = await refusal(call(subject, payload, acme.bob));
      expect({ subject, kind: refused.kind }).toEqual({ subject, kind: 'validation' });
    }
    expect(await registryEvents()).toBe(before);
  });
});

describe('what other events do to the registry', () => {
  it('moves a deleted project’s resources to the default project, all at once', async () => {
    const acme = await organization();
    const project = await call<ProjectView>(SUBJECTS.createProject, { name: 'Old' }, acme.ada);
    const resources = [
      await bobsResource(acme, 'private', project.id),
      await bobsResource(acme, 'org', project.id),
      await bobsResource(acme, 'public', project.id),
    ];
    await call(SUBJECTS.deleteProject, { projectId: project.id }, acme.ada);
    const defaultProjectId = defaultProjectIdOf(acme.organizationId);
    expect(await list(acme.ada, { all: true, projectId: project.id })).toEqual([]);
    expect(await list(acme.ada, { all: true, projectId: defaultProjectId })).toEqual(
      resources.map((resource) => resource.id),
    );
    // A registration naming it afterwards is refused; one already on its way lands in the default.
    const refused = await refusal(
      asRegistrar(SUBJECTS.registerResource, {
        organizationId: acme.organizationId,
        kind: 'agent',
        resourceId: newId(),
        name: 'Late',
        ownerUserId: acme.ids.bob,
        projectId: project.id,
      }),
    );
    expect(refused.code).toBe('project_not_found');
    const inFlight = newId();
    await harness.append(resourceStreamName(inFlight), [
      resourceEvents.encode({
        type: 'ResourceRegistered',
        data: {
          resourceId: inFlight,
          organizationId: acme.organizationId,
          kind: 'agent',
          name: 'In flight',
          ownerUserId: acme.ids.bob,
          projectId: project.id,
          visibility: 'private',
          workspaceIds: [],
          registeredBy: 'agent-runner',
          registeredAt: new Date().toISOString(),
        },
      }),
    ]);
    const landed = await call<ResourceView>(
      SUBJECTS.getResource,
      { kind: 'agent', resourceId: inFlight },
      acme.bob,
    );
    expect(landed.projectId).toBe(defaultProjectId);
  });

  it('detaches a deleted workspace from the resources that mounted it', async () => {
    const acme = await organization();
    const workspace = await call<WorkspaceView>(SUBJECTS.createWorkspace, { name: 'D' }, acme.ada);
    const resource = await register(acme.organizationId, acme.ids.bob, {
      workspaceIds: [workspace.id],
    });
    expect(resource.workspaceIds).toEqual([workspace.id]);
    await call(SUBJECTS.deleteWorkspace, { workspaceId: workspace.id, force: true }, acme.ada);
    const after = await call<ResourceView>(
      SUBJECTS.getResource,
      { kind: 'agent', resourceId: resource.id },
      acme.bob,
    );
    expect(after.workspaceIds).toEqual([]);
  });
});

describe('a member’s departure', () => {
  async function ownerChanges(resourceId: string) {
    const events = await harness.store.readStream(resourceStreamName(resourceId));
    return events
      .map((event) => resourceEvents.decode(event))
      .filter((event) => event.type === 'ResourceOwnerChanged')
      .map((event) => event.data);
  }

  it('hands the removed member’s private resources to the Admin who removed them', async () => {
    const acme = await organization();
    // A second Admin, who removes bob: the heir is the remover, not the longest-standing Admin.
    const dee = newId();
    const deeCaller = await harness.join(acme.organizationId, dee, 'admin');
    const privateOne = await bobsResource(acme, 'private');
    const orgOne = await bobsResource(acme, 'org');
    await call(
      MEMBERSHIP_SUBJECTS.removeMember,
      { organizationId: acme.organizationId, userId: acme.ids.bob },
      deeCaller,
    );
    await eventually(async () => expect(await ownerChanges(privateOne.id)).toHaveLength(1));
    const [change] = await ownerChanges(privateOne.id);
    expect(change).toMatchObject({
      ownerUserId: dee,
      previousOwnerUserId: acme.ids.bob,
      cause: { reason: 'member_removed', eventType: 'MemberRemoved' },
    });
    expect(await ownerChanges(orgOne.id)).toEqual([]);
    await eventually(async () => expect(await list(deeCaller)).toContain(privateOne.id));
    const seen = await call<ResourceView>(
      SUBJECTS.getResource,
      { kind: 'agent', resourceId: privateOne.id },
      deeCaller,
    );
    expect(seen).toMatchObject({ ownerUserId: dee, visibility: 'private' });
    expect(await list(acme.ada)).not.toContain(privateOne.id);
  });

  it('hands a departed member’s to the longest-standing Admin when nobody removed them', async () => {
    const acme = await organization();
    await harness.join(acme.organizationId, newId(), 'admin');
    const cyds = await register(acme.organizationId, acme.ids.cyd);
    await call(
      MEMBERSHIP_SUBJECTS.leaveOrganization,
      { organizationId: acme.organizationId },
      acme.cyd,
    );
    await eventually(async () => expect(await ownerChanges(cyds.id)).toHaveLength(1));
    expect((await ownerChanges(cyds.id))[0]).toMatchObject({
      ownerUserId: acme.ids.ada,
      previousOwnerUserId: acme.ids.cyd,
      cause: { reason: 'member_left', eventType: 'MemberLeft' },
    });
    await eventually(async () => expect(await list(acme.ada)).toContain(cyds.id));
  });
});
