import type { WorkspaceView } from '@orgplane/contracts';
import type { ActiveWorkspace } from '@orgplane/resources-domain';
import type { WorkspaceEntity } from '../infrastructure/workspace.entity';

/**
 * The one mapping to the workspace object of the API, from the read model's row. File contents
 * are not this service's: nothing stored, never accessed, until a storage service reports.
 */
export function toWorkspaceView(workspace: WorkspaceEntity): WorkspaceView {
  return {
    id: workspace.id,
    organizationId: workspace.organizationId,
    slug: workspace.slug,
    name: workspace.name,
    isPersonal: workspace.isPersonal,
    ownerUserId: workspace.ownerUserId,
    sizeBytes: 0,
    quotaBytes: workspace.quotaBytes,
    createdAt: workspace.createdAt.toISOString(),
    updatedAt: workspace.updatedAt.toISOString(),
    lastAccessedAt: null,
  };
}

/** The same object from the workspace's stream, for the reply to a write. */
export function activeWorkspaceView(workspace: ActiveWorkspace): WorkspaceView {
  const { id, organizationId, slug, name, isPersonal, ownerUserId, quotaBytes, createdBy } =
    workspace;
  return toWorkspaceView({
    id,
    organizationId,
    slug,
    name,
    isPersonal,
    ownerUserId,
    quotaBytes,
    createdBy,
    createdAt: new Date(workspace.createdAt),
    updatedAt: new Date(workspace.updatedAt),
  });
}
