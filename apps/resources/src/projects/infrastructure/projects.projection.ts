import {
  organizationEvents,
  resourceEvents,
  type OrganizationEvent,
  type ResourceEvent,
} from '@orgplane/contracts';
import type { RecordedEventOf } from '@orgplane/event-sourcing';
import { defineProjection } from '@orgplane/projections';
import { ProjectEntity, PROJECTS_TABLE } from './project.entity';

/**
 * The organization's projects: a deleted project leaves the table (the registry's and the keys'
 * read models move what it grouped to the default project), and so do all of an organization's
 * when it is deleted.
 */
export const projectsProjection = defineProjection<
  RecordedEventOf<ResourceEvent | OrganizationEvent>
>({
  name: PROJECTS_TABLE,
  tables: [PROJECTS_TABLE],
  async setup({ manager, table }) {
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(PROJECTS_TABLE)} (
      id uuid PRIMARY KEY,
      organization_id uuid NOT NULL,
      name text NOT NULL,
      color text,
      is_default boolean NOT NULL,
      created_by uuid,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`);
    // The pages of an organization's projects, as listed.
    await manager.query(
      `CREATE INDEX IF NOT EXISTS projects_by_organization ON ${table(PROJECTS_TABLE)} (organization_id, created_at, id)`,
    );
  },
  async reset({ manager, table }) {
    await manager.query(`DELETE FROM ${table(PROJECTS_TABLE)}`);
  },
  reducers: {
    async ProjectCreated(event, { manager }) {
      const { projectId, createdAt, ...project } = resourceEvents.decode(event).data;
      const at = new Date(createdAt);
      await manager.insert(ProjectEntity, {
        id: projectId,
        ...project,
        createdAt: at,
        updatedAt: at,
      });
    },
    async ProjectUpdated(event, { manager }) {
      const { projectId, name, color, updatedAt } = resourceEvents.decode(event).data;
      await manager.update(
        ProjectEntity,
        { id: projectId },
        { name, color, updatedAt: new Date(updatedAt) },
      );
    },
    async ProjectDeleted(event, { manager }) {
      const { projectId } = resourceEvents.decode(event).data;
      await manager.delete(ProjectEntity, { id: projectId });
    },
    async OrganizationDeleted(event, { manager }) {
      const { organizationId } = organizationEvents.decode(event).data;
      await manager.delete(ProjectEntity, { organizationId });
    },
  },
});
