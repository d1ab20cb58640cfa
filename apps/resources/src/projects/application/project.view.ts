import type { ProjectView } from '@orgplane/contracts';
import type { ActiveProject } from '@orgplane/resources-domain';
import type { ProjectEntity } from '../infrastructure/project.entity';

/** The one mapping to the project object of the API, from the read model's row. */
export function toProjectView(project: ProjectEntity): ProjectView {
  return {
    id: project.id,
    organizationId: project.organizationId,
    name: project.name,
    color: project.color,
    isDefault: project.isDefault,
    createdBy: project.createdBy,
    createdAt: project.createdAt.toISOString(),
    updatedAt: project.updatedAt.toISOString(),
  };
}

/** The same object from the project's stream, for the reply to a write. */
export function activeProjectView(project: ActiveProject): ProjectView {
  const { id, organizationId, name, color, isDefault, createdBy } = project;
  return toProjectView({
    id,
    organizationId,
    name,
    color,
    isDefault,
    createdBy,
    createdAt: new Date(project.createdAt),
    updatedAt: new Date(project.updatedAt),
  });
}
