import { DeletedProjectEntity } from './infrastructure/deleted-project.entity';
import { deletedProjectsProjection } from './infrastructure/deleted-projects.projection';

export { ProjectsModule } from './application/projects.module';
export { ProjectReferences } from './application/project-references';
export { CurrentProjectsQuery } from './infrastructure/current-projects.query';
export { currentProjectOf } from './infrastructure/deleted-project.entity';
export const projectEntities = [DeletedProjectEntity];
export const projectTables = [deletedProjectsProjection];
