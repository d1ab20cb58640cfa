import { userEvents, type UserEvent } from '@orgplane/contracts';
import type { RecordedEventOf } from '@orgplane/event-sourcing';
import { defineProjection } from '@orgplane/projections';
import { profileOf } from '../domain/user.decider';
import { UserEntity, USERS_TABLE } from './user.entity';

export const usersProjection = defineProjection<RecordedEventOf<UserEvent>>({
  name: USERS_TABLE,
  // 2: profile columns and the provider (issue 3)
  version: 2,
  tables: [USERS_TABLE],
  async setup({ manager, table }) {
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(USERS_TABLE)} (
      id uuid PRIMARY KEY,
      email text NOT NULL,
      provider text NOT NULL,
      signed_up_at timestamptz NOT NULL
    )`);
    // Profiles came after the table (issue 3): tables of that time get their columns here. Their
    // rows were all development sign-ins, whose emails count as verified.
    await manager.query(`ALTER TABLE ${table(USERS_TABLE)}
      ADD COLUMN IF NOT EXISTS email_verified boolean NOT NULL DEFAULT true,
      ADD COLUMN IF NOT EXISTS first_name text,
      ADD COLUMN IF NOT EXISTS last_name text,
      ADD COLUMN IF NOT EXISTS profile_picture_url text,
      ADD COLUMN IF NOT EXISTS workos_user_id text`);
    // Not unique: a projection cannot refuse an event, so uniqueness is the write side's job.
    await manager.query(`CREATE INDEX IF NOT EXISTS users_email ON ${table(USERS_TABLE)} (email)`);
  },
  async reset({ manager, table }) {
    await manager.query(`DELETE FROM ${table(USERS_TABLE)}`);
  },
  reducers: {
    async UserSignedUp(event, { manager }) {
      const { data } = userEvents.decode(event);
      await manager.insert(UserEntity, {
        id: data.userId,
        ...profileOf(data),
        provider: data.provider,
        workosUserId: data.workosUserId ?? null,
        signedUpAt: new Date(data.signedUpAt),
      });
    },
    async UserProfileUpdated(event, { manager }) {
      const { data } = userEvents.decode(event);
      await manager.update(UserEntity, { id: data.userId }, profileOf(data));
    },
  },
});
