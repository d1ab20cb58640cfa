import { nameBasedUuid } from '@orgplane/util';
import { z } from 'zod';
import { defineEventCatalog, type EventOf } from '../events';

/** Stream of one user: `user-<userId>`. */
export function userStreamName(userId: string): string {
  return `user-${userId}`;
}

/**
 * The Orgplane id of a WorkOS user (`user_…`). Derived, not looked up, so the gateway maps a WorkOS
 * access token's `sub` to the user without a round trip, and two first sign-ins of one WorkOS user
 * meet on one stream.
 */
export function userIdOfWorkosUser(workosUserId: string): string {
  return nameBasedUuid('workos-user', workosUserId);
}

export const SIGN_IN_PROVIDERS = ['development', 'workos'] as const;
export type SignInProvider = (typeof SIGN_IN_PROVIDERS)[number];

const profile = {
  /** lowercased */
  email: z.email(),
  /**
   * Whether the provider vouches for the email: WorkOS says so per user; the development provider
   * trusts what it is given. Accepting an invitation needs a verified email. Absent in events
   * written before it existed, which were all development sign-ins (verified).
   */
  emailVerified: z.boolean().optional(),
  firstName: z.string().max(200).nullable().optional(),
  lastName: z.string().max(200).nullable().optional(),
  profilePictureUrl: z.url().max(2048).nullable().optional(),
};

const userEventDefinitions = {
  UserSignedUp: {
    schemaVersion: 1,
    data: z.strictObject({
      userId: z.uuid(),
      ...profile,
      provider: z.enum(SIGN_IN_PROVIDERS),
      /** the WorkOS user (`user_…`) this user is, for the `workos` provider */
      workosUserId: z.string().min(1).max(100).optional(),
      signedUpAt: z.iso.datetime(),
    }),
  },
  /** the provider reported a changed profile (WorkOS `user.updated`); carries the whole profile */
  UserProfileUpdated: {
    schemaVersion: 1,
    data: z.strictObject({ userId: z.uuid(), ...profile, updatedAt: z.iso.datetime() }),
  },
};

export const userEvents = defineEventCatalog(userEventDefinitions);
export type UserEvent = EventOf<typeof userEventDefinitions>;
export type UserSignedUp = Extract<UserEvent, { type: 'UserSignedUp' }>;
export type UserProfileUpdated = Extract<UserEvent, { type: 'UserProfileUpdated' }>;
