import { ProjectEntity } from './infrastructure/project.entity';
import { projectsProjection } from './infrastructure/projects.projection';

export { ProjectsModule } from './application/projects.module';
export { projectDecider, type Project } from '@orgplane/resources-domain';
export const projectEntities = [ProjectEntity];
export const projectTables = [projectsProjection];
