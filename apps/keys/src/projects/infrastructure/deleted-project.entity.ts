import { Column, Entity, PrimaryColumn, type EntityManager } from 'typeorm';

export const DELETED_PROJECTS_TABLE = 'deleted_projects';

/** A row of the `deleted_projects` read model (see deleted-projects.projection.ts for its DDL). */
@Entity({ name: DELETED_PROJECTS_TABLE })
export class DeletedProjectEntity {
  @PrimaryColumn('uuid', { name: 'project_id' })
  projectId!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  /** the organization's default project, which took over what the deleted one grouped */
  @Column('uuid', { name: 'default_project_id' })
  defaultProjectId!: string;
}

/**
 * The project a key named `projectId` is in: that one, or the default project that replaced it
 * when it was deleted. Keys' events keep naming the project they were given (a rename carries the
 * key's project from its stream, a key may be added while its project is being deleted), so every
 * write and every reply goes through this.
 */
export async function currentProjectOf(
  manager: EntityManager,
  projectId: string | null,
): Promise<string | null> {
  if (projectId === null) return null;
  const deleted = await manager.findOneBy(DeletedProjectEntity, { projectId });
  return deleted?.defaultProjectId ?? projectId;
}
