import { defaultProjectIdOf, type ResourceEvent } from '@orgplane/contracts';
import { ServiceError, type Decider, validDisplayName } from '@orgplane/util';
import { requireAdmin, type OrganizationActor } from '../common/organization-actor';

type ProjectEventOfType<Type extends ResourceEvent['type']> = Extract<
  ResourceEvent,
  { type: Type }
>;
const PROJECT = 'Project';

export interface ActiveProject {
  status: 'active';
  id: string;
  organizationId: string;
  name: string;
  color: string | null;
  isDefault: boolean;
  createdBy: string | null;
  /** ISO 8601, as recorded */
  createdAt: string;
  updatedAt: string;
}

/** One project, on its stream `project-<projectId>`. A deleted project stays deleted. */
export type Project = { status: 'absent' } | ActiveProject | { status: 'deleted' };

export interface CommandMetadata {
  now: Date;
}

/** `color`: `#rrggbb` in either case, or null for none. */
export interface CreateProject {
  type: 'CreateProject';
  data: { projectId: string; actor: OrganizationActor; name: string; color?: string | null };
  metadata: CommandMetadata;
}

/** The reaction to OrganizationCreated: the project its id promises (defaultProjectIdOf). */
export interface CreateDefaultProject {
  type: 'CreateDefaultProject';
  data: { projectId: string; organizationId: string };
  metadata: CommandMetadata;
}

/** Settings not named keep their value; `color: null` removes the colour. */
export interface UpdateProject {
  type: 'UpdateProject';
  data: { actor: OrganizationActor; name?: string; color?: string | null };
  metadata: CommandMetadata;
}

export interface DeleteProject {
  type: 'DeleteProject';
  data: { actor: OrganizationActor };
  metadata: CommandMetadata;
}

export type ProjectCommand = CreateProject | CreateDefaultProject | UpdateProject | DeleteProject;

export const DEFAULT_PROJECT_NAME = 'Default';

export function initialState(): Project {
  return { status: 'absent' };
}

export function evolve(state: Project, event: ResourceEvent): Project {
  switch (event.type) {
    case 'ProjectCreated': {
      const { projectId, createdAt, ...project } = event.data;
      return { status: 'active', id: projectId, ...project, createdAt, updatedAt: createdAt };
    }
    case 'ProjectUpdated':
      return state.status === 'active'
        ? {
            ...state,
            name: event.data.name,
            color: event.data.color,
            updatedAt: event.data.updatedAt,
          }
        : state;
    case 'ProjectDeleted':
      return { status: 'deleted' };
    // Workspaces and registered resources have streams of their own.
    case 'WorkspaceCreated':
    case 'WorkspaceUpdated':
    case 'WorkspaceDeleted':
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

/** Lowercase, as the read model stores and compares it. */
function colorOf(color: string | null | undefined): string | null {
  return color ? color.toLowerCase() : null;
}

/**
 * Any member sees the organization's projects; a project of another organization, or none, is a
 * 404 to them.
 */
export function requireProject(state: Project, actor: OrganizationActor): ActiveProject {
  if (state.status !== 'active' || state.organizationId !== actor.organizationId) {
    throw ServiceError.notFound(PROJECT);
  }
  return state;
}

export function createProject(
  command: CreateProject,
  state: Project,
): [ProjectEventOfType<'ProjectCreated'>] {
  const { projectId, actor } = command.data;
  requireAdmin(actor, 'create projects');
  if (state.status !== 'absent') {
    throw ServiceError.conflict('project_exists', 'This project already exists');
  }
  return [
    {
      type: 'ProjectCreated',
      data: {
        projectId,
        organizationId: actor.organizationId,
        name: validDisplayName(command.data.name),
        color: colorOf(command.data.color),
        isDefault: false,
        createdBy: actor.userId,
        createdAt: command.metadata.now.toISOString(),
      },
    },
  ];
}

/** Deciding again on a project that exists records nothing, so a replayed reaction is harmless. */
export function createDefaultProject(
  command: CreateDefaultProject,
  state: Project,
): ProjectEventOfType<'ProjectCreated'>[] {
  if (state.status !== 'absent') return [];
  return [
    {
      type: 'ProjectCreated',
      data: {
        ...command.data,
        name: DEFAULT_PROJECT_NAME,
        color: null,
        isDefault: true,
        createdBy: null,
        createdAt: command.metadata.now.toISOString(),
      },
    },
  ];
}

/** Admins rename and recolour any project, the default one too; only a change is recorded. */
export function updateProject(
  command: UpdateProject,
  state: Project,
): ProjectEventOfType<'ProjectUpdated'>[] {
  const { actor } = command.data;
  const project = requireProject(state, actor);
  requireAdmin(actor, 'change projects');
  const name = command.data.name === undefined ? project.name : validDisplayName(command.data.name);
  const color = command.data.color === undefined ? project.color : colorOf(command.data.color);
  if (name === project.name && color === project.color) return [];
  return [
    {
      type: 'ProjectUpdated',
      data: {
        projectId: project.id,
        name,
        color,
        updatedBy: actor.userId,
        updatedAt: command.metadata.now.toISOString(),
      },
    },
  ];
}

/**
 * Admins delete any project but the default one, which is where the deleted project's resources,
 * API keys and SSH keys go (every read model moves them when it folds the event).
 */
export function deleteProject(
  command: DeleteProject,
  state: Project,
): [ProjectEventOfType<'ProjectDeleted'>] {
  const { actor } = command.data;
  const project = requireProject(state, actor);
  requireAdmin(actor, 'delete projects');
  if (project.isDefault) {
    throw ServiceError.conflict(
      'default_project',
      'The default project cannot be deleted; it receives the resources of deleted projects',
    );
  }
  return [
    {
      type: 'ProjectDeleted',
      data: {
        projectId: project.id,
        organizationId: project.organizationId,
        defaultProjectId: defaultProjectIdOf(project.organizationId),
        deletedBy: actor.userId,
        deletedAt: command.metadata.now.toISOString(),
      },
    },
  ];
}

export function decide(command: ProjectCommand, state: Project): ResourceEvent[] {
  switch (command.type) {
    case 'CreateProject':
      return createProject(command, state);
    case 'CreateDefaultProject':
      return createDefaultProject(command, state);
    case 'UpdateProject':
      return updateProject(command, state);
    case 'DeleteProject':
      return deleteProject(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`Unknown command ${(unknown as { type: string }).type}`);
    }
  }
}

export const projectDecider: Decider<ProjectCommand, Project, ResourceEvent> = {
  initialState,
  decide,
  evolve,
};
