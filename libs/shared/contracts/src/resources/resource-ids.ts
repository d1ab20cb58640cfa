import { nameBasedUuid } from '@orgplane/util';

/**
 * The default project's id is a function of its organization's, so membership can answer it in
 * the create-organization reply while the resources service is still creating the project.
 */
export function defaultProjectIdOf(organizationId: string): string {
  return nameBasedUuid('default-project', organizationId);
}

/** Each member's Personal workspace in an organization: the same id again if they rejoin. */
export function personalWorkspaceIdOf(organizationId: string, userId: string): string {
  return nameBasedUuid('personal-workspace', `${organizationId}:${userId}`);
}

/** Streams of the resources service. */
export function projectStreamName(projectId: string): string {
  return `project-${projectId}`;
}

export function workspaceStreamName(workspaceId: string): string {
  return `workspace-${workspaceId}`;
}

export function resourceStreamName(resourceId: string): string {
  return `resource-${resourceId}`;
}
