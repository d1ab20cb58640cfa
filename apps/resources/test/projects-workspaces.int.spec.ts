import {
  DEFAULT_WORKSPACE_QUOTA_BYTES,
  defaultProjectIdOf,
  personalWorkspaceIdOf,
  resourceEvents,
  resourceStreamName,
  RESOURCES_SUBJECTS as SUBJECTS,
  type Caller,
  type ProjectDeletedView,
  type ProjectView,
  type WorkspaceDeletedView,
  type WorkspaceUsageView,
  type WorkspaceView,
  workspaceStreamName,
} from '@orgplane/contracts';
import { memberCaller, refusal } from '@orgplane/testing';
import { newId } from '@orgplane/util';
import { startResourcesHarness, type ResourcesHarness } from './support/resources-harness';

jest.setTimeout(120_000);

let harness: ResourcesHarness;

beforeAll(async () => {
  harness = await startResourcesHarness('resources_pw');
});

afterAll(async () => {
  await harness?.close();
});

function call<Data>(subject: string, payload: unknown, as: Caller) {
  return harness.call<Data>(subject, payload, as);
}

/** An organization made through membership: ada its Admin, bob and cyd Members. */
async function organization() {
  const [adaId, bobId, cydId] = [newId(), newId(), newId()];
  const created = await harness.createOrganization(adaId);
  const organizationId = created.id;
  return {
    organizationId,
    ids: { ada: adaId, bob: bobId, cyd: cydId },
    ada: memberCaller(adaId, organizationId, 'admin'),
    bob: await harness.join(organizationId, bobId),
    cyd: await harness.join(organizationId, cydId),
  };
}

/** Resources a platform service registered, mounting `workspaceIds`. */
async function registerResource(
  organizationId: string,
  ownerUserId: string,
  workspaceIds: string[],
  visibility: 'private' | 'org' = 'private',
): Promise<string> {
  const resourceId = newId();
  await harness.append(resourceStreamName(resourceId), [
    resourceEvents.encode({
      type: 'ResourceRegistered',
      data: {
        resourceId,
        organizationId,
        kind: 'sandbox',
        name: `box-${resourceId.slice(0, 4)}`,
        ownerUserId,
        projectId: defaultProjectIdOf(organizationId),
        visibility,
        workspaceIds,
        registeredBy: 'sandboxes',
        registeredAt: new Date().toISOString(),
      },
    }),
  ]);
  return resourceId;
}

describe('a new organization', () => {
  it('has its default project and its creator’s Personal workspace at once, by id and in lists', async () => {
    const adaId = newId();
    const created = await harness.createOrganization(adaId, 'Fresh');
    const organizationId = created.id;
    const ada = memberCaller(adaId, organizationId, 'admin');
    const { defaultProjectId: projectId, personalWorkspaceId: workspaceId } = created;
    expect(projectId).toBe(defaultProjectIdOf(organizationId));
    expect(workspaceId).toBe(personalWorkspaceIdOf(organizationId, adaId));

    // No wait in between: the reads themselves catch up with the reactions.
    expect(await call<ProjectView>(SUBJECTS.getProject, { projectId }, ada)).toMatchObject({
      id: projectId,
      organizationId,
      name: 'Default',
      color: null,
      isDefault: true,
      createdBy: null,
    });
    expect(await call<WorkspaceView>(SUBJECTS.getWorkspace, { workspaceId }, ada)).toEqual({
      id: workspaceId,
      organizationId,
      slug: `personal-${adaId.slice(0, 8)}`,
      name: 'Personal',
      isPersonal: true,
      ownerUserId: adaId,
      sizeBytes: 0,
      quotaBytes: DEFAULT_WORKSPACE_QUOTA_BYTES,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      lastAccessedAt: null,
    });
  });

  it('lists them at once too', async () => {
    const adaId = newId();
    const { id: organizationId } = await harness.createOrganization(adaId, 'Listed');
    const ada = memberCaller(adaId, organizationId, 'admin');
    const projects = await call<ProjectView[]>(SUBJECTS.listProjects, {}, ada);
    expect(projects.map((project) => project.id)).toEqual([defaultProjectIdOf(organizationId)]);
    const workspaces = await call<WorkspaceView[]>(SUBJECTS.listWorkspaces, {}, ada);
    expect(workspaces.map((workspace) => workspace.id)).toEqual([
      personalWorkspaceIdOf(organizationId, adaId),
    ]);
  });

  it('gives a member who joins their own Personal workspace, and the same one when they rejoin', async () => {
    const acme = await organization();
    const workspaceId = personalWorkspaceIdOf(acme.organizationId, acme.ids.bob);
    const bobs = await call<WorkspaceView>(SUBJECTS.getWorkspace, { workspaceId }, acme.bob);
    expect(bobs).toMatchObject({ isPersonal: true, ownerUserId: acme.ids.bob, name: 'Personal' });

    await harness.leave(acme.organizationId, acme.ids.bob);
    await harness.join(acme.organizationId, acme.ids.bob);
    // Joining again is a MemberJoined the reaction handles like the first: it finds bob's.
    await call(SUBJECTS.listWorkspaces, {}, acme.bob);
    expect(await call(SUBJECTS.getWorkspace, { workspaceId }, acme.bob)).toEqual(bobs);
    const stream = await harness.store.readStream(workspaceStreamName(workspaceId));
    expect(stream.map((event) => event.type)).toEqual(['WorkspaceCreated']);
  });
});

describe('projects', () => {
  it('are created, renamed, recoloured and deleted by Admins; read by every member', async () => {
    const acme = await organization();
    const created = await call<ProjectView>(
      SUBJECTS.createProject,
      { name: '  Research  ', color: '#AABBCC' },
      acme.ada,
    );
    expect(created).toMatchObject({
      organizationId: acme.organizationId,
      name: 'Research',
      color: '#aabbcc',
      isDefault: false,
      createdBy: acme.ids.ada,
    });
    expect(await call(SUBJECTS.getProject, { projectId: created.id }, acme.bob)).toEqual(created);
    const listed = await call<ProjectView[]>(SUBJECTS.listProjects, {}, acme.bob);
    expect(listed.map((project) => project.id)).toEqual([
      defaultProjectIdOf(acme.organizationId),
      created.id,
    ]);

    const renamed = await call<ProjectView>(
      SUBJECTS.updateProject,
      { projectId: created.id, name: 'Research & Development', color: null },
      acme.ada,
    );
    expect(renamed).toMatchObject({ name: 'Research & Development', color: null });
    expect(await call(SUBJECTS.getProject, { projectId: created.id }, acme.cyd)).toEqual(renamed);

    for (const [subject, payload] of [
      [SUBJECTS.createProject, { name: 'Mine' }],
      [SUBJECTS.updateProject, { projectId: created.id, name: 'Mine' }],
      [SUBJECTS.deleteProject, { projectId: created.id }],
    ] as const) {
      expect(await refusal(call(subject, payload, acme.bob))).toMatchObject({
        kind: 'forbidden',
        code: 'admin_required',
      });
    }

    const deleted = await call<ProjectDeletedView>(
      SUBJECTS.deleteProject,
      { projectId: created.id },
      acme.ada,
    );
    expect(deleted).toEqual({
      id: created.id,
      deleted: true,
      movedTo: defaultProjectIdOf(acme.organizationId),
    });
    expect(
      await refusal(call(SUBJECTS.getProject, { projectId: created.id }, acme.ada)),
    ).toMatchObject({ kind: 'not_found' });
    expect(
      (await call<ProjectView[]>(SUBJECTS.listProjects, {}, acme.ada)).map((project) => project.id),
    ).toEqual([defaultProjectIdOf(acme.organizationId)]);
    expect(
      await refusal(call(SUBJECTS.deleteProject, { projectId: created.id }, acme.ada)),
    ).toMatchObject({ kind: 'not_found' });
  });

  it('keep the default project: renamed, never deleted', async () => {
    const acme = await organization();
    const projectId = defaultProjectIdOf(acme.organizationId);
    expect(
      await call<ProjectView>(SUBJECTS.updateProject, { projectId, name: 'Main' }, acme.ada),
    ).toMatchObject({ id: projectId, name: 'Main', isDefault: true });
    expect(await refusal(call(SUBJECTS.deleteProject, { projectId }, acme.ada))).toMatchObject({
      kind: 'conflict',
      code: 'default_project',
    });
  });

  it('of another organization are not found', async () => {
    const acme = await organization();
    const globex = await organization();
    const theirs = await call<ProjectView>(SUBJECTS.createProject, { name: 'Theirs' }, globex.ada);
    for (const [subject, payload] of [
      [SUBJECTS.getProject, { projectId: theirs.id }],
      [SUBJECTS.updateProject, { projectId: theirs.id, name: 'Ours' }],
      [SUBJECTS.deleteProject, { projectId: theirs.id }],
      [SUBJECTS.getProject, { projectId: defaultProjectIdOf(globex.organizationId) }],
    ] as const) {
      expect(await refusal(call(subject, payload, acme.ada))).toMatchObject({
        kind: 'not_found',
      });
    }
    const listed = await call<ProjectView[]>(SUBJECTS.listProjects, {}, acme.ada);
    expect(listed.map((project) => project.id)).not.toContain(theirs.id);
  });
});

describe('workspaces', () => {
  it('are created by any member, with a slug from the name, unique in the organization', async () => {
    const acme = await organization();
    const data = await call<WorkspaceView>(
      SUBJECTS.createWorkspace,
      { name: 'Données partagées' },
      acme.bob,
    );
    expect(data).toMatchObject({
      organizationId: acme.organizationId,
      slug: 'donnees-partagees',
      name: 'Données partagées',
      isPersonal: false,
      ownerUserId: acme.ids.bob,
      quotaBytes: DEFAULT_WORKSPACE_QUOTA_BYTES,
      sizeBytes: 0,
      lastAccessedAt: null,
    });
    const small = await call<WorkspaceView>(
      SUBJECTS.createWorkspace,
      { name: 'Scratch', slug: 'tmp-1', quotaBytes: 1024 },
      acme.cyd,
    );
    expect(small).toMatchObject({ slug: 'tmp-1', quotaBytes: 1024 });
    for (const payload of [
      { name: 'Other', slug: 'donnees-partagees' },
      { name: 'Donnees partagees!' },
      { name: 'Mine', slug: `personal-${acme.ids.bob.slice(0, 8)}` },
    ]) {
      expect(await refusal(call(SUBJECTS.createWorkspace, payload, acme.ada))).toMatchObject({
        kind: 'conflict',
        code: 'slug_taken',
      });
    }
    // Another organization has slugs of its own.
    const globex = await organization();
    await call(SUBJECTS.createWorkspace, { name: 'Données partagées' }, globex.bob);
  });

  it('take the reference’s orgId when it names the organization acted in, and refuse another', async () => {
    const acme = await organization();
    const globex = await organization();
    const named = await call<WorkspaceView>(
      SUBJECTS.createWorkspace,
      { name: 'Named org', orgId: acme.organizationId.toUpperCase() },
      acme.bob,
    );
    expect(named).toMatchObject({ organizationId: acme.organizationId, slug: 'named-org' });
    // The reactions to both organizations and their members are done once cyd's workspaces are.
    await call(SUBJECTS.listWorkspaces, {}, acme.cyd);
    await call(SUBJECTS.listWorkspaces, {}, globex.cyd);
    const before = await harness.eventCount();
    for (const orgId of [globex.organizationId, newId()]) {
      expect(
        await refusal(call(SUBJECTS.createWorkspace, { name: 'Elsewhere', orgId }, acme.bob)),
      ).toMatchObject({ kind: 'forbidden', code: 'organization_mismatch' });
    }
    expect(await harness.eventCount()).toBe(before);
  });

  it('show the organization’s and the caller’s own Personal one; all=true adds everyone’s, for Admins', async () => {
    const acme = await organization();
    const shared = await call<WorkspaceView>(SUBJECTS.createWorkspace, { name: 'Team' }, acme.cyd);
    const personal = (userId: string) => personalWorkspaceIdOf(acme.organizationId, userId);
    const ids = async (as: Caller, all?: boolean) =>
      (await call<WorkspaceView[]>(SUBJECTS.listWorkspaces, all ? { all } : {}, as))
        .map((workspace) => workspace.id)
        .sort();

    expect(await ids(acme.bob)).toEqual([personal(acme.ids.bob), shared.id].sort());
    expect(await ids(acme.ada)).toEqual([personal(acme.ids.ada), shared.id].sort());
    expect(await ids(acme.ada, true)).toEqual(
      [shared.id, ...[acme.ids.ada, acme.ids.bob, acme.ids.cyd].map(personal)].sort(),
    );
    expect(await refusal(call(SUBJECTS.listWorkspaces, { all: 'true' }, acme.bob))).toMatchObject({
      kind: 'forbidden',
      code: 'admin_required',
    });

    // A Personal workspace: its owner and Admins see it; another member is told it does not exist.
    const bobs = { workspaceId: personal(acme.ids.bob) };
    await call(SUBJECTS.getWorkspace, bobs, acme.bob);
    await call(SUBJECTS.getWorkspace, bobs, acme.ada);
    expect(await refusal(call(SUBJECTS.getWorkspace, bobs, acme.cyd))).toMatchObject({
      kind: 'not_found',
    });
    expect(
      await refusal(call(SUBJECTS.updateWorkspace, { ...bobs, name: 'Mine' }, acme.cyd)),
    ).toMatchObject({ kind: 'not_found' });
    expect(await refusal(call(SUBJECTS.getWorkspaceUsage, bobs, acme.cyd))).toMatchObject({
      kind: 'not_found',
    });
    // An organization workspace: every member.
    await call(SUBJECTS.getWorkspace, { workspaceId: shared.id }, acme.bob);
    // Another organization's: nobody here.
    const globex = await organization();
    expect(
      await refusal(call(SUBJECTS.getWorkspace, { workspaceId: shared.id }, globex.ada)),
    ).toMatchObject({ kind: 'not_found' });
  });

  it('are renamed and resized by their creator or an Admin, Personal ones by their owner or an Admin', async () => {
    const acme = await organization();
    const team = await call<WorkspaceView>(SUBJECTS.createWorkspace, { name: 'Team' }, acme.bob);
    const renamed = await call<WorkspaceView>(
      SUBJECTS.updateWorkspace,
      { workspaceId: team.id, name: 'Team A', quotaBytes: 2048 },
      acme.bob,
    );
    expect(renamed).toMatchObject({
      id: team.id,
      slug: team.slug,
      name: 'Team A',
      quotaBytes: 2048,
    });
    expect(await call(SUBJECTS.getWorkspace, { workspaceId: team.id }, acme.cyd)).toEqual(renamed);
    expect(
      await refusal(call(SUBJECTS.updateWorkspace, { workspaceId: team.id, name: 'B' }, acme.cyd)),
    ).toMatchObject({ kind: 'forbidden', code: 'owner_or_admin_required' });
    await call(SUBJECTS.updateWorkspace, { workspaceId: team.id, name: 'Team B' }, acme.ada);

    const bobs = personalWorkspaceIdOf(acme.organizationId, acme.ids.bob);
    expect(
      await call<WorkspaceView>(
        SUBJECTS.updateWorkspace,
        { workspaceId: bobs, name: 'Bob’s' },
        acme.bob,
      ),
    ).toMatchObject({ name: 'Bob’s', isPersonal: true });
    await call(SUBJECTS.updateWorkspace, { workspaceId: bobs, quotaBytes: 4096 }, acme.ada);
    expect(
      await refusal(call(SUBJECTS.deleteWorkspace, { workspaceId: bobs }, acme.bob)),
    ).toMatchObject({ kind: 'conflict', code: 'personal_workspace' });
  });

  it('in use are WORKSPACE_IN_USE to delete, unless forced, which detaches them', async () => {
    const acme = await organization();
    const team = await call<WorkspaceView>(SUBJECTS.createWorkspace, { name: 'Team' }, acme.bob);
    const workspaceId = team.id;
    const bobsBox = await registerResource(acme.organizationId, acme.ids.bob, [workspaceId]);
    const cydsBox = await registerResource(acme.organizationId, acme.ids.cyd, [workspaceId]);
    const shared = await registerResource(acme.organizationId, acme.ids.cyd, [workspaceId], 'org');

    const usage = (as: Caller) =>
      call<WorkspaceUsageView>(SUBJECTS.getWorkspaceUsage, { workspaceId }, as);
    const idsOf = (view: WorkspaceUsageView) =>
      view.resources.map((resource) => resource.id).sort();
    const bobSees = await usage(acme.bob);
    expect(bobSees).toMatchObject({ workspaceId, inUse: true, hiddenCount: 1 });
    expect(idsOf(bobSees)).toEqual([bobsBox, shared].sort());
    const adaSees = await usage(acme.ada);
    expect(adaSees).toMatchObject({ inUse: true, hiddenCount: 0 });
    expect(idsOf(adaSees)).toEqual([bobsBox, cydsBox, shared].sort());

    expect(await refusal(call(SUBJECTS.deleteWorkspace, { workspaceId }, acme.cyd))).toMatchObject({
      kind: 'forbidden',
      code: 'owner_or_admin_required',
    });
    expect(await refusal(call(SUBJECTS.deleteWorkspace, { workspaceId }, acme.bob))).toMatchObject({
      kind: 'conflict',
      code: 'WORKSPACE_IN_USE',
    });
    const deleted = await call<WorkspaceDeletedView>(
      SUBJECTS.deleteWorkspace,
      { workspaceId, force: 'true' },
      acme.bob,
    );
    expect(deleted).toMatchObject({ id: workspaceId, deleted: true });
    expect([...deleted.detachedFrom].sort()).toEqual([bobsBox, cydsBox, shared].sort());
    expect(await refusal(usage(acme.bob))).toMatchObject({ kind: 'not_found' });

    // The slug is free again; the new workspace is in use by nothing.
    const again = await call<WorkspaceView>(SUBJECTS.createWorkspace, { name: 'Team' }, acme.cyd);
    expect(again).toMatchObject({ slug: 'team', ownerUserId: acme.ids.cyd });
    expect(await usage(acme.cyd)).toEqual({
      workspaceId: again.id,
      inUse: false,
      resources: [],
      hiddenCount: 0,
    });
    await call(SUBJECTS.deleteWorkspace, { workspaceId: again.id }, acme.ada);
  });
});

describe('bad input', () => {
  it('is a 400 and appends nothing', async () => {
    const acme = await organization();
    const projectId = defaultProjectIdOf(acme.organizationId);
    const workspaceId = personalWorkspaceIdOf(acme.organizationId, acme.ids.ada);
    // The reactions to the organization and its members are done once cyd's workspace is there.
    await call(SUBJECTS.listWorkspaces, {}, acme.cyd);
    const before = await harness.eventCount();
    for (const [subject, payload] of [
      [SUBJECTS.createProject, { name: '   ' }],
      [SUBJECTS.createProject, { name: 'x'.repeat(101) }],
      [SUBJECTS.createProject, { name: 'Tab\there' }],
      [SUBJECTS.createProject, { name: 'Red', color: 'red' }],
      [SUBJECTS.createProject, { name: 'Red', extra: true }],
      [SUBJECTS.updateProject, { projectId, name: '' }],
      [SUBJECTS.updateProject, { projectId: 'not-a-uuid', name: 'A' }],
      [SUBJECTS.getProject, {}],
      [SUBJECTS.listProjects, { limit: 0 }],
      [SUBJECTS.createWorkspace, {}],
      [SUBJECTS.createWorkspace, { name: '日本語' }],
      [SUBJECTS.createWorkspace, { name: 'Fine', slug: 'Not Fine' }],
      [SUBJECTS.createWorkspace, { name: 'Fine', slug: '-edge-' }],
      [SUBJECTS.createWorkspace, { name: 'Fine', quotaBytes: 0 }],
      [SUBJECTS.createWorkspace, { name: 'Fine', quotaBytes: 1.5 }],
      [SUBJECTS.createWorkspace, { name: 'Fine', orgId: 'not-a-uuid' }],
      [SUBJECTS.updateWorkspace, { workspaceId, name: '\u0000' }],
      [SUBJECTS.updateWorkspace, { workspaceId, quotaBytes: -1 }],
      [SUBJECTS.deleteWorkspace, { workspaceId, force: 'yes' }],
      [SUBJECTS.listWorkspaces, { all: 'maybe' }],
    ] as const) {
      expect(await refusal(call(subject, payload, acme.ada))).toMatchObject({
        kind: 'validation',
      });
    }
    expect(await harness.eventCount()).toBe(before);
  });
});
