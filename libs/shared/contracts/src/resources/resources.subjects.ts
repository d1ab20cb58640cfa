/** Request/reply subjects the resources service answers (queue group `resources`). */
export const RESOURCES_SUBJECTS = {
  createProject: 'resources.v1.createProject',
  listProjects: 'resources.v1.listProjects',
  getProject: 'resources.v1.getProject',
  updateProject: 'resources.v1.updateProject',
  deleteProject: 'resources.v1.deleteProject',
  createWorkspace: 'resources.v1.createWorkspace',
  listWorkspaces: 'resources.v1.listWorkspaces',
  getWorkspace: 'resources.v1.getWorkspace',
  getWorkspaceUsage: 'resources.v1.getWorkspaceUsage',
  updateWorkspace: 'resources.v1.updateWorkspace',
  deleteWorkspace: 'resources.v1.deleteWorkspace',
  listResources: 'resources.v1.listResources',
  getResource: 'resources.v1.getResource',
  updateResource: 'resources.v1.updateResource',
  deleteResource: 'resources.v1.deleteResource',
  publishResource: 'resources.v1.publishResource',
  /** platform services only (MESSAGE_HEADERS.serviceCredential) */
  registerResource: 'resources.v1.registerResource',
  updateRegisteredResource: 'resources.v1.updateRegisteredResource',
  removeRegisteredResource: 'resources.v1.removeRegisteredResource',
  /** the hot path of every platform service: see AuthorizeRequest */
  authorize: 'resources.v1.authorize',
  health: 'resources.v1.health',
} as const;
