import { combinedProjection } from './common/combined-projection';
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
  combinedProjection('organizations', organizationTables),
  combinedProjection('users', [...profileTables, ...preferenceTables]),
];
