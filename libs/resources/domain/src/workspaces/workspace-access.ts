import { ServiceError } from '@orgplane/util';
import type { OrganizationActor } from '../common/organization-actor';

/** What access to a workspace depends on. */
export interface AccessedWorkspace {
  organizationId: string;
  isPersonal: boolean;
  /** an organization workspace's creator; a Personal workspace's member */
  ownerUserId: string;
}

/**
 * Every member sees the organization's workspaces; a Personal one only its owner and Admins.
 * One the actor may not see is a 404, exactly as an unknown id.
 */
export function requireVisibleWorkspace<Workspace extends AccessedWorkspace>(
  workspace: Workspace | null,
  actor: OrganizationActor,
): Workspace {
  const visible =
    workspace !== null &&
    workspace.organizationId === actor.organizationId &&
    (!workspace.isPersonal || workspace.ownerUserId === actor.userId || actor.role === 'admin');
  if (!visible) throw ServiceError.notFound('Workspace');
  return workspace;
}

/** Renaming, resizing or deleting one: its creator (a Personal one's owner) or an Admin. */
export function requireWorkspaceManager<Workspace extends AccessedWorkspace>(
  workspace: Workspace | null,
  actor: OrganizationActor,
): Workspace {
  const visible = requireVisibleWorkspace(workspace, actor);
  if (visible.ownerUserId !== actor.userId && actor.role !== 'admin') {
    throw new ServiceError(
      'forbidden',
      'owner_or_admin_required',
      'Only the workspace’s creator or an Admin may do this',
    );
  }
  return visible;
}
