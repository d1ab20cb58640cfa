import { combinedProjection } from '@orgplane/projections';
import { organizationEntities, organizationTables } from './organizations';
import { preferenceEntities, preferenceTables } from './preferences';
import { profileEntities, profileTables } from './profiles';

export const membershipEntities = [
  ...organizationEntities,
  ...profileEntities,
  ...preferenceEntities,
];

/**
 * Two runners for five tables. Each active runner holds a connection of the read-model pool
 * (DATABASE_POOL_MAX, 5 by default) for as long as it runs, and queries need the rest; one runner
 * per table would leave them none. `organizations` folds the organization streams, so deleting an
 * organization drops it, its members and its invitations in one transaction; `users` folds what is
 * kept per user: profiles (from identity's events) and active organizations.
 */
export const membershipProjections = [
  // 2: settings, invitations and deletions (issue 3) over issue 2's organizations and members
  combinedProjection('organizations', organizationTables, { version: 2 }),
  combinedProjection('users', [...profileTables, ...preferenceTables]),
];
