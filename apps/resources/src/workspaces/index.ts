import { WorkspaceEntity } from './infrastructure/workspace.entity';
import { workspacesProjection } from './infrastructure/workspaces.projection';

export { WorkspacesModule } from './application/workspaces.module';
export { workspaceDecider, type Workspace } from '@orgplane/resources-domain';
export const workspaceEntities = [WorkspaceEntity];
export const workspaceTables = [workspacesProjection];
