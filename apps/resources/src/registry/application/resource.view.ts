import type { ResourceView } from '@orgplane/contracts';
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
