import { combinedProjection } from '@orgplane/projections';
import { apiKeyEntities, apiKeyTables } from './api-keys';
import { profileEntities, profileTables } from './profiles';
import { sshKeyEntities, sshKeyTables } from './ssh-keys';

export const keysEntities = [...apiKeyEntities, ...sshKeyEntities, ...profileEntities];

/**
 * One runner for the three tables queries read: each active runner holds a connection of the
 * read-model pool (DATABASE_POOL_MAX, 5 by default) for as long as it runs, and the member-removal
 * reaction holds another. Owner profiles (from identity's events) ride along with the keys.
 */
export const keysProjections = [
  // 2: the keys of a deleted project move to its default project (issue 6)
  combinedProjection('keys', [...apiKeyTables, ...sshKeyTables, ...profileTables], { version: 2 }),
];
