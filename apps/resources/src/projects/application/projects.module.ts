import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ReactionsModule } from '../../common/reactions';
import { ProjectEntity } from '../infrastructure/project.entity';
import { ProjectsQuery } from '../infrastructure/projects.query';
import { DefaultProjectReaction } from './default-project.reaction';
import { ProjectsHandlers } from './projects.handlers';

@Module({
  imports: [TypeOrmModule.forFeature([ProjectEntity]), ReactionsModule],
  controllers: [ProjectsHandlers],
  providers: [ProjectsQuery, DefaultProjectReaction],
})
export class ProjectsModule {}
