import { organizationEvents, resourceEvents, type ResourceEvent } from '@orgplane/contracts';
import type { RecordedEventOf } from '@orgplane/event-sourcing';
import { defineProjection, type ProjectionContext } from '@orgplane/projections';
import type { RecordedEvent } from '@orgplane/event-store';
import { RESOURCES_REGISTRY_TABLE } from './resource.entity';

/**
 * The projects deleted so far, each with the default project that took its resources over: a
 * resource registered or moved into one after its deletion (a service's request in flight) lands
 * in the default project instead.
 */
export const DELETED_PROJECTS_TABLE = 'resources_registry_deleted_projects';

type RegistryEvent = RecordedEventOf<ResourceEvent> | RecordedEvent<'OrganizationDeleted'>;

/** The project a resource is in: the one named, or the default project that replaced it. */
function projectOf(context: ProjectionContext, parameter: string): string {
  return `COALESCE((SELECT default_project_id FROM ${context.table(DELETED_PROJECTS_TABLE)}
                     WHERE project_id = ${parameter}), ${parameter})`;
}

/** Registered resources only: a removed one leaves the table (its id is never registered again). */
export const resourcesRegistryProjection = defineProjection<RegistryEvent>({
  name: RESOURCES_REGISTRY_TABLE,
  tables: [RESOURCES_REGISTRY_TABLE, DELETED_PROJECTS_TABLE],
  async setup({ manager, table }) {
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(RESOURCES_REGISTRY_TABLE)} (
      id uuid PRIMARY KEY,
      organization_id uuid NOT NULL,
      kind text NOT NULL,
      name text NOT NULL,
      owner_user_id uuid NOT NULL,
      project_id uuid NOT NULL,
      visibility text NOT NULL,
      workspace_ids uuid[] NOT NULL,
      registered_by text NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`);
    // The pages of one kind in an organization, as listed (oldest first), whatever the filter.
    await manager.query(
      `CREATE INDEX IF NOT EXISTS resources_registry_by_kind ON ${table(RESOURCES_REGISTRY_TABLE)} (organization_id, kind, created_at, id)`,
    );
    // A project's deletion moves its resources in one statement.
    await manager.query(
      `CREATE INDEX IF NOT EXISTS resources_registry_by_project ON ${table(RESOURCES_REGISTRY_TABLE)} (project_id)`,
    );
    // A workspace's usage, and its detachment when it is deleted.
    await manager.query(
      `CREATE INDEX IF NOT EXISTS resources_registry_by_workspace ON ${table(RESOURCES_REGISTRY_TABLE)} USING gin (workspace_ids)`,
    );
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(DELETED_PROJECTS_TABLE)} (
      project_id uuid PRIMARY KEY,
      organization_id uuid NOT NULL,
      default_project_id uuid NOT NULL
    )`);
  },
  async reset({ manager, table }) {
    await manager.query(`DELETE FROM ${table(RESOURCES_REGISTRY_TABLE)}`);
    await manager.query(`DELETE FROM ${table(DELETED_PROJECTS_TABLE)}`);
  },
  reducers: {
    async ResourceRegistered(event, context) {
      const { data } = resourceEvents.decode(event);
      await context.manager.query(
        `INSERT INTO ${context.table(RESOURCES_REGISTRY_TABLE)}
           (id, organization_id, kind, name, owner_user_id, project_id, visibility, workspace_ids,
            registered_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, ${projectOf(context, '$6::uuid')}, $7, $8, $9, $10, $10)`,
        [
          data.resourceId,
          data.organizationId,
          data.kind,
          data.name,
          data.ownerUserId,
          data.projectId,
          data.visibility,
          data.workspaceIds,
          data.registeredBy,
          data.registeredAt,
        ],
      );
    },
    async ResourceUpdated(event, context) {
      const { data } = resourceEvents.decode(event);
      await context.manager.query(
        `UPDATE ${context.table(RESOURCES_REGISTRY_TABLE)}
            SET name = $2, project_id = ${projectOf(context, '$3::uuid')}, workspace_ids = $4,
                updated_at = $5
          WHERE id = $1`,
        [data.resourceId, data.name, data.projectId, data.workspaceIds, data.updatedAt],
      );
    },
    async ResourceVisibilityChanged(event, { manager, table }) {
      const { resourceId, visibility, changedAt } = resourceEvents.decode(event).data;
      await manager.query(
        `UPDATE ${table(RESOURCES_REGISTRY_TABLE)} SET visibility = $2, updated_at = $3 WHERE id = $1`,
        [resourceId, visibility, changedAt],
      );
    },
    async ResourceOwnerChanged(event, { manager, table }) {
      const { resourceId, ownerUserId, changedAt } = resourceEvents.decode(event).data;
      await manager.query(
        `UPDATE ${table(RESOURCES_REGISTRY_TABLE)} SET owner_user_id = $2, updated_at = $3 WHERE id = $1`,
        [resourceId, ownerUserId, changedAt],
      );
    },
    async ResourceRemoved(event, { manager, table }) {
      const { resourceId } = resourceEvents.decode(event).data;
      await manager.query(`DELETE FROM ${table(RESOURCES_REGISTRY_TABLE)} WHERE id = $1`, [
        resourceId,
      ]);
    },
    /** One statement: a reader sees all of the project's resources in it, or all moved. */
    async ProjectDeleted(event, { manager, table }) {
      const { projectId, organizationId, defaultProjectId } = resourceEvents.decode(event).data;
      await manager.query(
        `INSERT INTO ${table(DELETED_PROJECTS_TABLE)} (project_id, organization_id, default_project_id)
         VALUES ($1, $2, $3)`,
        [projectId, organizationId, defaultProjectId],
      );
      await manager.query(
        `UPDATE ${table(RESOURCES_REGISTRY_TABLE)} SET project_id = $3
          WHERE organization_id = $2 AND project_id = $1`,
        [projectId, organizationId, defaultProjectId],
      );
    },
    async WorkspaceDeleted(event, { manager, table }) {
      const { workspaceId, organizationId } = resourceEvents.decode(event).data;
      await manager.query(
        `UPDATE ${table(RESOURCES_REGISTRY_TABLE)} SET workspace_ids = array_remove(workspace_ids, $1)
          WHERE organization_id = $2 AND workspace_ids @> ARRAY[$1]::uuid[]`,
        [workspaceId, organizationId],
      );
    },
    async OrganizationDeleted(event, { manager, table }) {
      const { organizationId } = organizationEvents.decode(event).data;
      for (const name of [RESOURCES_REGISTRY_TABLE, DELETED_PROJECTS_TABLE]) {
        await manager.query(`DELETE FROM ${table(name)} WHERE organization_id = $1`, [
          organizationId,
        ]);
      }
    },
  },
});
