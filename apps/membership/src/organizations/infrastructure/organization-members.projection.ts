import { organizationEvents, type OrganizationEvent } from '@orgplane/contracts';
import type { RecordedEventOf } from '@orgplane/messaging';
import { defineProjection } from '@orgplane/projections';
import { OrganizationMemberEntity, ORGANIZATION_MEMBERS_TABLE } from './organization-member.entity';

export const organizationMembersProjection = defineProjection<RecordedEventOf<OrganizationEvent>>({
  name: ORGANIZATION_MEMBERS_TABLE,
  async setup({ manager, table }) {
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(ORGANIZATION_MEMBERS_TABLE)} (
      organization_id uuid NOT NULL,
      user_id uuid NOT NULL,
      role text NOT NULL,
      joined_at timestamptz NOT NULL,
      PRIMARY KEY (organization_id, user_id)
    )`);
    // "the organizations of this user" (organization switcher, /v1/me)
    await manager.query(
      `CREATE INDEX IF NOT EXISTS organization_members_user_id ON ${table(ORGANIZATION_MEMBERS_TABLE)} (user_id)`,
    );
  },
  async reset({ manager, table }) {
    await manager.query(`DELETE FROM ${table(ORGANIZATION_MEMBERS_TABLE)}`);
  },
  reducers: {
    async MemberJoined(event, { manager }) {
      const { data } = organizationEvents.decode(event);
      await manager.insert(OrganizationMemberEntity, {
        organizationId: data.organizationId,
        userId: data.userId,
        role: data.role,
        joinedAt: new Date(data.joinedAt),
      });
    },
  },
});
