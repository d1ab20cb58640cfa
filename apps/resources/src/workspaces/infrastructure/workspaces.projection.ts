import {
  organizationEvents,
  resourceEvents,
  type OrganizationEvent,
  type ResourceEvent,
} from '@orgplane/contracts';
import type { RecordedEventOf } from '@orgplane/event-sourcing';
import { defineProjection } from '@orgplane/projections';
import { WorkspaceEntity, WORKSPACES_TABLE } from './workspace.entity';

/**
 * Organization and Personal workspaces: a deleted one leaves the table, and so do all of an
 * organization's when it is deleted.
 */
export const workspacesProjection = defineProjection<
  RecordedEventOf<ResourceEvent | OrganizationEvent>
>({
  name: WORKSPACES_TABLE,
  tables: [WORKSPACES_TABLE],
  async setup({ manager, table }) {
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(WORKSPACES_TABLE)} (
      id uuid PRIMARY KEY,
      organization_id uuid NOT NULL,
      slug text NOT NULL,
      name text NOT NULL,
      is_personal boolean NOT NULL,
      owner_user_id uuid NOT NULL,
      quota_bytes bigint NOT NULL,
      created_by uuid,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`);
    // The pages of an organization's workspaces, as listed (the caller's Personal one among them).
    await manager.query(
      `CREATE INDEX IF NOT EXISTS workspaces_by_organization ON ${table(WORKSPACES_TABLE)} (organization_id, created_at, id)`,
    );
  },
  async reset({ manager, table }) {
    await manager.query(`DELETE FROM ${table(WORKSPACES_TABLE)}`);
  },
  reducers: {
    async WorkspaceCreated(event, { manager }) {
      const { workspaceId, createdAt, ...workspace } = resourceEvents.decode(event).data;
      const at = new Date(createdAt);
      await manager.insert(WorkspaceEntity, {
        id: workspaceId,
        ...workspace,
        createdAt: at,
        updatedAt: at,
      });
    },
    async WorkspaceUpdated(event, { manager }) {
      const { workspaceId, name, quotaBytes, updatedAt } = resourceEvents.decode(event).data;
      await manager.update(
        WorkspaceEntity,
        { id: workspaceId },
        { name, quotaBytes, updatedAt: new Date(updatedAt) },
      );
    },
    async WorkspaceDeleted(event, { manager }) {
      const { workspaceId } = resourceEvents.decode(event).data;
      await manager.delete(WorkspaceEntity, { id: workspaceId });
    },
    async OrganizationDeleted(event, { manager }) {
      const { organizationId } = organizationEvents.decode(event).data;
      await manager.delete(WorkspaceEntity, { organizationId });
    },
  },
});
