import { resourceEvents, type ResourceEvent } from '@orgplane/contracts';
import type { RecordedEventOf } from '@orgplane/event-sourcing';
import { defineProjection } from '@orgplane/projections';
import { DeletedProjectEntity, DELETED_PROJECTS_TABLE } from './deleted-project.entity';

/**
 * The resources service's deleted projects, each with the default project that took over what it
 * grouped: the key tables read it whenever they write a key's project (see currentProjectOf).
 *
 * It must come before the key tables in their combined projection, which applies a batch part
 * after part: a key written in the same batch as its project's deletion then lands in the default
 * project whichever came first, as it would event after event, since a deleted project never comes
 * back.
 */
export const deletedProjectsProjection = defineProjection<RecordedEventOf<ResourceEvent>>({
  name: DELETED_PROJECTS_TABLE,
  tables: [DELETED_PROJECTS_TABLE],
  async setup({ manager, table }) {
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(DELETED_PROJECTS_TABLE)} (
      project_id uuid PRIMARY KEY,
      organization_id uuid NOT NULL,
      default_project_id uuid NOT NULL
    )`);
  },
  async reset({ manager, table }) {
    await manager.query(`DELETE FROM ${table(DELETED_PROJECTS_TABLE)}`);
  },
  reducers: {
    async ProjectDeleted(event, { manager }) {
      const { projectId, organizationId, defaultProjectId } = resourceEvents.decode(event).data;
      await manager.insert(DeletedProjectEntity, { projectId, organizationId, defaultProjectId });
    },
  },
});
