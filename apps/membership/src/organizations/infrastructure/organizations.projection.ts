import {
  DEFAULT_ORGANIZATION_SETTINGS,
  organizationEvents,
  type OrganizationEvent,
} from '@orgplane/contracts';
import type { RecordedEventOf } from '@orgplane/event-sourcing';
import { defineProjection } from '@orgplane/projections';
import { OrganizationEntity, ORGANIZATIONS_TABLE } from './organization.entity';

export const organizationsProjection = defineProjection<RecordedEventOf<OrganizationEvent>>({
  name: ORGANIZATIONS_TABLE,
  tables: [ORGANIZATIONS_TABLE],
  async setup({ manager, table }) {
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(ORGANIZATIONS_TABLE)} (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      slug text NOT NULL,
      plan text NOT NULL,
      settings jsonb NOT NULL,
      created_by uuid NOT NULL,
      created_at timestamptz NOT NULL
    )`);
  },
  async reset({ manager, table }) {
    await manager.query(`DELETE FROM ${table(ORGANIZATIONS_TABLE)}`);
  },
  reducers: {
    async OrganizationCreated(event, { manager }) {
      const { data } = organizationEvents.decode(event);
      await manager.insert(OrganizationEntity, {
        id: data.organizationId,
        name: data.name,
        slug: data.slug,
        plan: data.plan,
        settings: DEFAULT_ORGANIZATION_SETTINGS,
        createdBy: data.createdBy,
        createdAt: new Date(data.createdAt),
      });
    },
    async OrganizationRenamed(event, { manager }) {
      const { data } = organizationEvents.decode(event);
      await manager.update(OrganizationEntity, { id: data.organizationId }, { name: data.name });
    },
    async OrganizationSettingsChanged(event, { manager }) {
      const { data } = organizationEvents.decode(event);
      await manager.update(
        OrganizationEntity,
        { id: data.organizationId },
        { settings: data.settings },
      );
    },
    async OrganizationDeleted(event, { manager }) {
      const { data } = organizationEvents.decode(event);
      await manager.delete(OrganizationEntity, { id: data.organizationId });
    },
  },
});
