import type { PublicResourceView, ResourceView } from '@orgplane/contracts';
import type { ResourceEntity } from '../infrastructure/resource.entity';

/** The one mapping to the resource object of the API, from the read model's row. */
export function toResourceView(resource: ResourceEntity): ResourceView {
  return {
    id: resource.id,
    organizationId: resource.organizationId,
    kind: resource.kind,
    name: resource.name,
    ownerUserId: resource.ownerUserId,
    projectId: resource.projectId,
    visibility: resource.visibility,
    workspaceIds: resource.workspaceIds,
    registeredBy: resource.registeredBy,
    createdAt: resource.createdAt.toISOString(),
    updatedAt: resource.updatedAt.toISOString(),
  };
}

/** An outsider's view of another organization's public resource (see PublicResourceView). */
export function toPublicResourceView(resource: ResourceEntity): PublicResourceView {
  const { id, organizationId, kind, name, visibility, createdAt, updatedAt } =
    toResourceView(resource);
  return { id, organizationId, kind, name, visibility, createdAt, updatedAt };
}
