import { memberPreferenceEvents, type MemberPreferenceEvent } from '@orgplane/contracts';
import type { RecordedEventOf } from '@orgplane/event-sourcing';
import { defineProjection } from '@orgplane/projections';
import { ActiveOrganizationEntity, ACTIVE_ORGANIZATIONS_TABLE } from './active-organization.entity';

export const activeOrganizationsProjection = defineProjection<
  RecordedEventOf<MemberPreferenceEvent>
>({
  name: ACTIVE_ORGANIZATIONS_TABLE,
  tables: [ACTIVE_ORGANIZATIONS_TABLE],
  async setup({ manager, table }) {
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(ACTIVE_ORGANIZATIONS_TABLE)} (
      user_id uuid PRIMARY KEY,
      organization_id uuid NOT NULL,
      switched_at timestamptz NOT NULL
    )`);
  },
  async reset({ manager, table }) {
    await manager.query(`DELETE FROM ${table(ACTIVE_ORGANIZATIONS_TABLE)}`);
  },
  reducers: {
    async ActiveOrganizationSwitched(event, { manager }) {
      const { data } = memberPreferenceEvents.decode(event);
      await manager.upsert(
        ActiveOrganizationEntity,
        {
          userId: data.userId,
          organizationId: data.organizationId,
          switchedAt: new Date(data.switchedAt),
        },
        ['userId'],
      );
    },
  },
});
