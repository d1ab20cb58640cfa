import { DEFAULT_WORKSPACE_QUOTA_BYTES, type ResourceEvent } from '@orgplane/contracts';
import { ServiceError, type Decider, validDisplayName } from '@orgplane/util';
import type { OrganizationActor } from '../common/organization-actor';
import { requireVisibleWorkspace, requireWorkspaceManager } from './workspace-access';
import { personalWorkspaceSlug } from './workspace-slug';

type WorkspaceEventOfType<Type extends ResourceEvent['type']> = Extract<
  ResourceEvent,
  { type: Type }
>;

export interface ActiveWorkspace {
  status: 'active';
  id: string;
  organizationId: string;
  slug: string;
  name: string;
  isPersonal: boolean;
  ownerUserId: string;
  quotaBytes: number;
  createdBy: string | null;
  /** ISO 8601, as recorded */
  createdAt: string;
  updatedAt: string;
}

/**
 * One workspace, on its stream `workspace-<workspaceId>`: there, or not (never, or no longer: a
 * deleted organization workspace frees its slug, and so its id).
 */
export type Workspace = { status: 'absent' } | ActiveWorkspace;

export interface CommandMetadata {
  now: Date;
}

/** An organization workspace; the handler settles its slug first, as its stream is named after it. */
export interface CreateWorkspace {
  type: 'CreateWorkspace';
  data: {
    workspaceId: string;
    actor: OrganizationActor;
    name: string;
    slug: string;
    quotaBytes?: number;
  };
  metadata: CommandMetadata;
}

/** The reaction to MemberJoined: the member's Personal workspace (personalWorkspaceIdOf). */
export interface CreatePersonalWorkspace {
  type: 'CreatePersonalWorkspace';
  data: { workspaceId: string; organizationId: string; userId: string };
  metadata: CommandMetadata;
}

/** Settings not named keep their value. */
export interface UpdateWorkspace {
  type: 'UpdateWorkspace';
  data: { actor: OrganizationActor; name?: string; quotaBytes?: number };
  metadata: CommandMetadata;
}

/** `referencedBy`: the registered resources that mount or attach it, as the registry knows them. */
export interface DeleteWorkspace {
  type: 'DeleteWorkspace';
  data: { actor: OrganizationActor; force: boolean; referencedBy: string[] };
  metadata: CommandMetadata;
}

export type WorkspaceCommand =
  CreateWorkspace | CreatePersonalWorkspace | UpdateWorkspace | DeleteWorkspace;

export const PERSONAL_WORKSPACE_NAME = 'Personal';

export function initialState(): Workspace {
  return { status: 'absent' };
}

export function evolve(state: Workspace, event: ResourceEvent): Workspace {
  switch (event.type) {
    case 'WorkspaceCreated': {
      const { workspaceId, createdAt, ...workspace } = event.data;
      return { status: 'active', id: workspaceId, ...workspace, createdAt, updatedAt: createdAt };
    }
    case 'WorkspaceUpdated':
      return state.status === 'active'
        ? {
            ...state,
            name: event.data.name,
            quotaBytes: event.data.quotaBytes,
            updatedAt: event.data.updatedAt,
          }
        : state;
    case 'WorkspaceDeleted':
      return { status: 'absent' };
    // Projects and registered resources have streams of their own.
    case 'ProjectCreated':
    case 'ProjectUpdated':
    case 'ProjectDeleted':
    case 'ResourceRegistered':
    case 'ResourceUpdated':
    case 'ResourceVisibilityChanged':
    case 'ResourceOwnerChanged':
    case 'ResourceRemoved':
      return state;
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

function active(state: Workspace): ActiveWorkspace | null {
  return state.status === 'active' ? state : null;
}

/** Any member creates organization workspaces; a slug is the organization's once (409). */
export function createWorkspace(
  command: CreateWorkspace,
  state: Workspace,
): [WorkspaceEventOfType<'WorkspaceCreated'>] {
  if (state.status === 'active') {
    throw ServiceError.conflict('slug_taken', 'A workspace of this organization has this slug');
  }
  const { workspaceId, actor, slug, quotaBytes } = command.data;
  return [
    {
      type: 'WorkspaceCreated',
      data: {
        workspaceId,
        organizationId: actor.organizationId,
        name: validDisplayName(command.data.name),
        slug,
        isPersonal: false,
        ownerUserId: actor.userId,
        quotaBytes: quotaBytes ?? DEFAULT_WORKSPACE_QUOTA_BYTES,
        createdBy: actor.userId,
        createdAt: command.metadata.now.toISOString(),
      },
    },
  ];
}

/**
 * Deciding again on a Personal workspace that exists records nothing: a replayed reaction, or a
 * member who rejoins, who gets the same one back.
 */
export function createPersonalWorkspace(
  command: CreatePersonalWorkspace,
  state: Workspace,
): WorkspaceEventOfType<'WorkspaceCreated'>[] {
  if (state.status === 'active') return [];
  const { workspaceId, organizationId, userId } = command.data;
  return [
    {
      type: 'WorkspaceCreated',
      data: {
        workspaceId,
        organizationId,
        name: PERSONAL_WORKSPACE_NAME,
        slug: personalWorkspaceSlug(userId),
        isPersonal: true,
        ownerUserId: userId,
        quotaBytes: DEFAULT_WORKSPACE_QUOTA_BYTES,
        createdBy: null,
        createdAt: command.metadata.now.toISOString(),
      },
    },
  ];
}

/** Renames and/or resizes (its creator, a Personal one's owner, or an Admin); only a change is recorded. */
export function updateWorkspace(
  command: UpdateWorkspace,
  state: Workspace,
): WorkspaceEventOfType<'WorkspaceUpdated'>[] {
  const { actor } = command.data;
  const workspace = requireWorkspaceManager(active(state), actor);
  const name =
    command.data.name === undefined ? workspace.name : validDisplayName(command.data.name);
  const quotaBytes = command.data.quotaBytes ?? workspace.quotaBytes;
  if (name === workspace.name && quotaBytes === workspace.quotaBytes) return [];
  return [
    {
      type: 'WorkspaceUpdated',
      data: {
        workspaceId: workspace.id,
        name,
        quotaBytes,
        updatedBy: actor.userId,
        updatedAt: command.metadata.now.toISOString(),
      },
    },
  ];
}

/**
 * A Personal workspace stays as long as its member's membership (409 `personal_workspace`). One
 * that registered resources reference is a 409 `WORKSPACE_IN_USE`, unless `force`: then they are
 * detached from it (the registry's read model does so when it folds the event).
 */
export function deleteWorkspace(
  command: DeleteWorkspace,
  state: Workspace,
): [WorkspaceEventOfType<'WorkspaceDeleted'>] {
  const { actor, force, referencedBy } = command.data;
  const workspace = requireVisibleWorkspace(active(state), actor);
  if (workspace.isPersonal) {
    throw ServiceError.conflict('personal_workspace', 'A Personal workspace cannot be deleted');
  }
  requireWorkspaceManager(workspace, actor);
  if (referencedBy.length > 0 && !force) {
    throw new ServiceError(
      'conflict',
      'WORKSPACE_IN_USE',
      'Registered resources mount or attach this workspace; delete with force=true to detach them',
      { resourceCount: referencedBy.length },
    );
  }
  return [
    {
      type: 'WorkspaceDeleted',
      data: {
        workspaceId: workspace.id,
        organizationId: workspace.organizationId,
        detachedFrom: referencedBy,
        deletedBy: actor.userId,
        deletedAt: command.metadata.now.toISOString(),
      },
    },
  ];
}

export function decide(command: WorkspaceCommand, state: Workspace): ResourceEvent[] {
  switch (command.type) {
    case 'CreateWorkspace':
      return createWorkspace(command, state);
    case 'CreatePersonalWorkspace':
      return createPersonalWorkspace(command, state);
    case 'UpdateWorkspace':
      return updateWorkspace(command, state);
    case 'DeleteWorkspace':
      return deleteWorkspace(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`Unknown command ${(unknown as { type: string }).type}`);
    }
  }
}

export const workspaceDecider: Decider<WorkspaceCommand, Workspace, ResourceEvent> = {
  initialState,
  decide,
  evolve,
};
