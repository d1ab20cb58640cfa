import type {
  DepartureCause,
  ResourceEvent,
  ResourceKind,
  ResourceVisibility,
  Scope,
} from '@orgplane/contracts';
import { ServiceError, validDisplayName, type Decider } from '@orgplane/util';
import { requireResourceAccess, type ResourceActor } from './resource-access';

type ResourceEventOfType<Type extends ResourceEvent['type']> = Extract<
  ResourceEvent,
  { type: Type }
>;

export interface RegisteredResource {
  status: 'registered';
  id: string;
  organizationId: string;
  kind: ResourceKind;
  name: string;
  ownerUserId: string;
  projectId: string;
  visibility: ResourceVisibility;
  workspaceIds: string[];
}

/**
 * The stream of one registered sandbox, agent, workflow or tool (`resource-<id>`, the id being
 * the registering service's own): never registered, registered, or removed for good (its id is
 * not registered again).
 */
export type Resource =
  | { status: 'unregistered' }
  | RegisteredResource
  | { status: 'removed'; id: string; organizationId: string; kind: ResourceKind };

export interface CommandMetadata {
  now: Date;
}

/**
 * A user through the HTTP API (an API key: with its scopes), asking about the kind of its path;
 * or a registering service.
 */
export type ResourceChanger =
  { actor: ResourceActor; scopes?: readonly Scope[]; kind: ResourceKind } | { service: string };

/** The handler has checked the references: the project and workspaces belong to the organization. */
export interface RegisterResource {
  type: 'RegisterResource';
  data: {
    resourceId: string;
    organizationId: string;
    kind: ResourceKind;
    name: string;
    ownerUserId: string;
    projectId: string;
    workspaceIds: string[];
    service: string;
  };
  metadata: CommandMetadata;
}

/** Only what is given changes; the references given were checked by the handler. */
export interface UpdateResource {
  type: 'UpdateResource';
  data: {
    by: ResourceChanger;
    name?: string;
    projectId?: string;
    workspaceIds?: string[];
  };
  metadata: CommandMetadata;
}

export interface PublishResource {
  type: 'PublishResource';
  data: {
    actor: ResourceActor;
    scopes?: readonly Scope[];
    kind: ResourceKind;
    visibility: ResourceVisibility;
    /** the organization's policy, asked only when publishing to `public` */
    allowPublicResources?: boolean;
  };
  metadata: CommandMetadata;
}

export interface RemoveResource {
  type: 'RemoveResource';
  data: { by: ResourceChanger };
  metadata: CommandMetadata;
}

/** A member's departure hands their private resource to `toUserId` (member removal). */
export interface HandOverResource {
  type: 'HandOverResource';
  data: { fromUserId: string; toUserId: string; cause: DepartureCause };
  metadata: CommandMetadata;
}

export type ResourceCommand =
  RegisterResource | UpdateResource | PublishResource | RemoveResource | HandOverResource;

export function initialState(): Resource {
  return { status: 'unregistered' };
}

export function evolve(state: Resource, event: ResourceEvent): Resource {
  switch (event.type) {
    case 'ResourceRegistered': {
      const { data } = event;
      return {
        status: 'registered',
        id: data.resourceId,
        organizationId: data.organizationId,
        kind: data.kind,
        name: data.name,
        ownerUserId: data.ownerUserId,
        projectId: data.projectId,
        visibility: data.visibility,
        workspaceIds: data.workspaceIds,
      };
    }
    case 'ResourceUpdated': {
      if (state.status !== 'registered') return state;
      const { name, projectId, workspaceIds } = event.data;
      return { ...state, name, projectId, workspaceIds };
    }
    case 'ResourceVisibilityChanged':
      return state.status === 'registered'
        ? { ...state, visibility: event.data.visibility }
        : state;
    case 'ResourceOwnerChanged':
      return state.status === 'registered'
        ? { ...state, ownerUserId: event.data.ownerUserId }
        : state;
    case 'ResourceRemoved':
      if (state.status !== 'registered') return state;
      return {
        status: 'removed',
        id: state.id,
        organizationId: state.organizationId,
        kind: state.kind,
      };
    // Projects and workspaces have streams of their own; their events never reach a resource's.
    case 'ProjectCreated':
    case 'ProjectUpdated':
    case 'ProjectDeleted':
    case 'WorkspaceCreated':
    case 'WorkspaceUpdated':
    case 'WorkspaceDeleted':
      return state;
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

function resourceIdTaken(): ServiceError {
  return ServiceError.conflict(
    'resource_id_taken',
    'This resource id is registered for another organization or kind, or was removed',
  );
}

/**
 * A retry registers nothing twice: the same id again, in the same organization and of the same
 * kind, records nothing and answers with what is registered. The id of another organization's or
 * kind's resource, or of a removed one, is a 409.
 */
export function registerResource(
  { data, metadata }: RegisterResource,
  state: Resource,
): ResourceEventOfType<'ResourceRegistered'>[] {
  if (state.status === 'registered') {
    if (state.organizationId === data.organizationId && state.kind === data.kind) return [];
    throw resourceIdTaken();
  }
  if (state.status === 'removed') throw resourceIdTaken();
  return [
    {
      type: 'ResourceRegistered',
      data: {
        resourceId: data.resourceId,
        organizationId: data.organizationId,
        kind: data.kind,
        name: validDisplayName(data.name),
        ownerUserId: data.ownerUserId,
        projectId: data.projectId,
        visibility: 'private',
        workspaceIds: data.workspaceIds,
        registeredBy: data.service,
        registeredAt: metadata.now.toISOString(),
      },
    },
  ];
}

/**
 * The resource a change applies to: for a user, as the access rules allow `action` (a resource
 * they may not see is a 404 like an unknown one); for a registering service, any registered one.
 */
function changed(
  state: Resource,
  by: ResourceChanger,
  action: 'update' | 'delete',
): RegisteredResource | null {
  const registered = state.status === 'registered' ? state : null;
  if ('actor' in by) return requireResourceAccess({ ...by, resource: registered, action });
  return registered;
}

/** The whole new settings, when anything changes; asking for what already holds records nothing. */
export function updateResource(
  { data, metadata }: UpdateResource,
  state: Resource,
): ResourceEventOfType<'ResourceUpdated'>[] {
  const resource = changed(state, data.by, 'update');
  if (!resource) throw ServiceError.notFound('Resource');
  const name = data.name === undefined ? resource.name : validDisplayName(data.name);
  const projectId = data.projectId ?? resource.projectId;
  const workspaceIds = data.workspaceIds ?? resource.workspaceIds;
  if (
    name === resource.name &&
    projectId === resource.projectId &&
    sameIds(workspaceIds, resource.workspaceIds)
  ) {
    return [];
  }
  return [
    {
      type: 'ResourceUpdated',
      data: {
        resourceId: resource.id,
        name,
        projectId,
        workspaceIds,
        updatedBy: 'actor' in data.by ? data.by.actor.userId : null,
        updatedByService: 'service' in data.by ? data.by.service : null,
        updatedAt: metadata.now.toISOString(),
      },
    },
  ];
}

function sameIds(left: readonly string[], right: readonly string[]): boolean {
  return left.length === right.length && left.every((id, index) => id === right[index]);
}

/** A visibility it already has records nothing. */
export function publishResource(
  { data, metadata }: PublishResource,
  state: Resource,
): ResourceEventOfType<'ResourceVisibilityChanged'>[] {
  const resource = requireResourceAccess({
    ...data,
    resource: state.status === 'registered' ? state : null,
    action: 'publish',
  });
  if (resource.visibility === data.visibility) return [];
  return [
    {
      type: 'ResourceVisibilityChanged',
      data: {
        resourceId: resource.id,
        visibility: data.visibility,
        previousVisibility: resource.visibility,
        changedBy: data.actor.userId,
        changedAt: metadata.now.toISOString(),
      },
    },
  ];
}

/**
 * A user removes what they may delete; a resource already removed is a 404 to them. A registering
 * service's retry finds it removed and records nothing.
 */
export function removeResource(
  { data, metadata }: RemoveResource,
  state: Resource,
): ResourceEventOfType<'ResourceRemoved'>[] {
  const resource = changed(state, data.by, 'delete');
  if (!resource) {
    if (state.status === 'removed' && 'service' in data.by) return [];
    throw ServiceError.notFound('Resource');
  }
  return [
    {
      type: 'ResourceRemoved',
      data: {
        resourceId: resource.id,
        removedBy: 'actor' in data.by ? data.by.actor.userId : null,
        removedByService: 'service' in data.by ? data.by.service : null,
        removedAt: metadata.now.toISOString(),
      },
    },
  ];
}

/**
 * Hands the departed member's resource over, once: a replay finds it handed (or removed, or
 * published and handed by nobody) and records nothing.
 */
export function handOverResource(
  { data, metadata }: HandOverResource,
  state: Resource,
): ResourceEventOfType<'ResourceOwnerChanged'>[] {
  if (state.status !== 'registered' || state.ownerUserId !== data.fromUserId) return [];
  return [
    {
      type: 'ResourceOwnerChanged',
      data: {
        resourceId: state.id,
        ownerUserId: data.toUserId,
        previousOwnerUserId: data.fromUserId,
        cause: data.cause,
        changedAt: metadata.now.toISOString(),
      },
    },
  ];
}

export function decide(command: ResourceCommand, state: Resource): ResourceEvent[] {
  switch (command.type) {
    case 'RegisterResource':
      return registerResource(command, state);
    case 'UpdateResource':
      return updateResource(command, state);
    case 'PublishResource':
      return publishResource(command, state);
    case 'RemoveResource':
      return removeResource(command, state);
    case 'HandOverResource':
      return handOverResource(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`Unknown command ${(unknown as { type: string }).type}`);
    }
  }
}

/** One registered resource, on its stream `resource-<resourceId>`. */
export const resourceDecider: Decider<ResourceCommand, Resource, ResourceEvent> = {
  initialState,
  decide,
  evolve,
};
