import { userEvents, type UserEvent } from '@orgplane/contracts';
import type { RecordedEventOf } from '@orgplane/messaging';
import { defineProjection } from '@orgplane/projections';
import { UserEntity, USERS_TABLE } from './user.entity';

export const usersProjection = defineProjection<RecordedEventOf<UserEvent>>({
  name: USERS_TABLE,
  async setup({ manager, table }) {
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(USERS_TABLE)} (
      id uuid PRIMARY KEY,
      email text NOT NULL,
      provider text NOT NULL,
      signed_up_at timestamptz NOT NULL
    )`);
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
        email: data.email,
        provider: data.provider,
        signedUpAt: new Date(data.signedUpAt),
      });
    },
  },
});
