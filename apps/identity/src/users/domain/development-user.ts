import { nameBasedUuid } from '@orgplane/util';
import { normalizeEmail } from './user-profile';

/**
 * The development provider derives a user's id from their email, so every instance signing in the
 * same new email at the same moment writes to the same stream instead of creating two users.
 */
export function developmentUserId(email: string): string {
  return nameBasedUuid('development-user', normalizeEmail(email));
}
