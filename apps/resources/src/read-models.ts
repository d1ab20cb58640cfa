import { combinedProjection } from '@orgplane/projections';
import { accessEntities, accessTables } from './authorization';
import { projectEntities, projectTables } from './projects';
import { registryEntities, registryTables } from './registry';
import { workspaceEntities, workspaceTables } from './workspaces';

export const resourcesEntities = [
  ...projectEntities,
  ...workspaceEntities,
  ...registryEntities,
  ...accessEntities,
];

/**
 * One runner for every table the queries read (each runner holds a read-model connection while it
 * runs). The members and API keys the authorizer needs (from membership's and keys' events) ride
 * along with the service's own tables.
 */
export const resourcesProjections = [
  combinedProjection('resources', [
    ...projectTables,
    ...workspaceTables,
    ...registryTables,
    ...accessTables,
  ]),
];
