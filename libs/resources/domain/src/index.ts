export { requireAdmin, type OrganizationActor } from './common/organization-actor';
export {
  projectDecider,
  requireProject,
  type ActiveProject,
  type Project,
  type ProjectCommand,
} from './projects/project.decider';
export {
  workspaceDecider,
  type ActiveWorkspace,
  type Workspace,
  type WorkspaceCommand,
} from './workspaces/workspace.decider';
export { requireVisibleWorkspace } from './workspaces/workspace-access';
export { newWorkspaceSlug, workspaceIdOf } from './workspaces/workspace-slug';
export {
  resourceDecider,
  type RegisteredResource,
  type Resource,
  type ResourceCommand,
} from './registry/resource.decider';
export {
  decideResourceAccess,
  requireListAccess,
  requireResourceAccess,
  type AccessedResource,
  type ResourceAccessDecision,
  type ResourceAccessQuestion,
  type ResourceActor,
} from './registry/resource-access';
