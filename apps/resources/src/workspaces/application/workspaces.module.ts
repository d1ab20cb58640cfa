import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ReactionsModule } from '../../common/reactions';
import { RegistryModule } from '../../registry';
import { WorkspaceEntity } from '../infrastructure/workspace.entity';
import { WorkspacesQuery } from '../infrastructure/workspaces.query';
import { PersonalWorkspaceReaction } from './personal-workspace.reaction';
import { WorkspacesHandlers } from './workspaces.handlers';

@Module({
  // The registry answers which of its resources reference a workspace, and who may see them.
  imports: [TypeOrmModule.forFeature([WorkspaceEntity]), ReactionsModule, RegistryModule],
  controllers: [WorkspacesHandlers],
  providers: [WorkspacesQuery, PersonalWorkspaceReaction],
})
export class WorkspacesModule {}
