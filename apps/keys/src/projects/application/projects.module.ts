import { Module } from '@nestjs/common';
import { CurrentProjectsQuery } from '../infrastructure/current-projects.query';
import { ProjectReferences } from './project-references';

/**
 * Projects belong to the resources service; keys only check the ones they are put in and follow
 * their deletion.
 */
@Module({
  providers: [ProjectReferences, CurrentProjectsQuery],
  exports: [ProjectReferences, CurrentProjectsQuery],
})
export class ProjectsModule {}
