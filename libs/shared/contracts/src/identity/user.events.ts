import { z } from 'zod';
import { defineEventCatalog, type EventOf } from '../events';

/** Stream of one user: `user-<userId>`. */
export function userStreamName(userId: string): string {
  return `user-${userId}`;
}

const userEventDefinitions = {
  UserSignedUp: {
    schemaVersion: 1,
    data: z.strictObject({
      userId: z.uuid(),
      email: z.email(),
      /** `development` now; `workos` with the WorkOS provider */
      provider: z.enum(['development']),
      signedUpAt: z.iso.datetime(),
    }),
  },
};

export const userEvents = defineEventCatalog(userEventDefinitions);
export type UserEvent = EventOf<typeof userEventDefinitions>;
export type UserSignedUp = Extract<UserEvent, { type: 'UserSignedUp' }>;
