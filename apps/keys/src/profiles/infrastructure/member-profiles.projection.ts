import { userEvents, type UserEvent } from '@orgplane/contracts';
import type { RecordedEventOf } from '@orgplane/event-sourcing';
import { defineProjection } from '@orgplane/projections';
import { MemberProfileEntity, MEMBER_PROFILES_TABLE } from './member-profile.entity';

/** The profile fields both identity events carry. */
function profileOf(data: UserEvent['data']): Omit<MemberProfileEntity, 'userId'> {
  return { email: data.email, firstName: data.firstName ?? null, lastName: data.lastName ?? null };
}

/**
 * Fed by the identity service's user events, which live in the same event store. The membership
 * service keeps a wider copy for its member lists; each service owns the read models it answers
 * from, so neither asks the other on a read.
 */
export const memberProfilesProjection = defineProjection<RecordedEventOf<UserEvent>>({
  name: MEMBER_PROFILES_TABLE,
  tables: [MEMBER_PROFILES_TABLE],
  async setup({ manager, table }) {
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(MEMBER_PROFILES_TABLE)} (
      user_id uuid PRIMARY KEY,
      email text NOT NULL,
      first_name text,
      last_name text
    )`);
  },
  async reset({ manager, table }) {
    await manager.query(`DELETE FROM ${table(MEMBER_PROFILES_TABLE)}`);
  },
  reducers: {
    async UserSignedUp(event, { manager }) {
      const { data } = userEvents.decode(event);
      await manager.insert(MemberProfileEntity, { userId: data.userId, ...profileOf(data) });
    },
    async UserProfileUpdated(event, { manager }) {
      const { data } = userEvents.decode(event);
      await manager.update(MemberProfileEntity, { userId: data.userId }, profileOf(data));
    },
  },
});
