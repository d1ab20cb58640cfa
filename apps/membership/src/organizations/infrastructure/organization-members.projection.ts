import { organizationEvents, type OrganizationEvent } from '@orgplane/contracts';
import type { RecordedEventOf } from '@orgplane/event-sourcing';
import { defineProjection, type ProjectionContext } from '@orgplane/projections';
import { OrganizationMemberEntity, ORGANIZATION_MEMBERS_TABLE } from './organization-member.entity';

type MemberGone = Extract<
  RecordedEventOf<OrganizationEvent>,
  { type: 'MemberRemoved' | 'MemberLeft' }
>;

async function deleteMember(event: MemberGone, { manager }: ProjectionContext): Promise<void> {
  const { data } = organizationEvents.decode(event);
  await manager.delete(OrganizationMemberEntity, {
    organizationId: data.organizationId,
    userId: data.userId,
  });
}

export const organizationMembersProjection = defineProjection<RecordedEventOf<OrganizationEvent>>({
  name: ORGANIZATION_MEMBERS_TABLE,
  tables: [ORGANIZATION_MEMBERS_TABLE],
  async setup({ manager, table }) {
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(ORGANIZATION_MEMBERS_TABLE)} (
      organization_id uuid NOT NULL,
      user_id uuid NOT NULL,
      role text NOT NULL,
      joined_at timestamptz NOT NULL,
      PRIMARY KEY (organization_id, user_id)
    )`);
    // The pages of one organization's members, in the order they are listed.
    await manager.query(
      `CREATE INDEX IF NOT EXISTS organization_members_by_organization ON ${table(ORGANIZATION_MEMBERS_TABLE)} (organization_id, joined_at, user_id)`,
    );
    // The organizations of one user, in the order they are listed (also getAccess).
    await manager.query(
      `CREATE INDEX IF NOT EXISTS organization_members_by_user ON ${table(ORGANIZATION_MEMBERS_TABLE)} (user_id, joined_at, organization_id)`,
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
    async MemberRoleChanged(event, { manager }) {
      const { data } = organizationEvents.decode(event);
      await manager.update(
        OrganizationMemberEntity,
        { organizationId: data.organizationId, userId: data.userId },
        { role: data.role },
      );
    },
    MemberRemoved: deleteMember,
    MemberLeft: deleteMember,
    async OrganizationDeleted(event, { manager }) {
      const { data } = organizationEvents.decode(event);
      await manager.delete(OrganizationMemberEntity, { organizationId: data.organizationId });
    },
  },
});
