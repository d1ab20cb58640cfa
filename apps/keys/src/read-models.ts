import { combinedProjection } from '@orgplane/projections';
import { apiKeyEntities, apiKeyTables } from './api-keys';
import { profileEntities, profileTables } from './profiles';
import { projectEntities, projectTables } from './projects';
import { sshKeyEntities, sshKeyTables } from './ssh-keys';

export const keysEntities = [
  ...projectEntities,
  ...apiKeyEntities,
  ...sshKeyEntities,
  ...profileEntities,
];

/**
 * One runner for the tables queries read: each active runner holds a connection of the read-model
 * pool (DATABASE_POOL_MAX, 5 by default) for as long as it runs, and the member-removal reaction
 * holds another. Owner profiles (from identity's events) ride along with the keys, and so do the
 * deleted projects, first: the key tables read them (see deletedProjectsProjection).
 */
export const keysProjections = [
  // 2: the keys of a deleted project move to its default project (issue 6)
  // 3: a key written with a deleted project lands in the default project (deleted_projects)
  combinedProjection(
    'keys',
    [...projectTables, ...apiKeyTables, ...sshKeyTables, ...profileTables],
    { version: 3 },
  ),
];
