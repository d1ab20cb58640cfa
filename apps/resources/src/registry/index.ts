import { ResourceEntity } from './infrastructure/resource.entity';
import { resourcesRegistryProjection } from './infrastructure/resources-registry.projection';

export { RegistryModule } from './application/registry.module';
export {
  type AccessedResource,
  decideResourceAccess,
  type ResourceAccessDecision,
  type ResourceAccessQuestion,
  type ResourceActor,
  resourceDecider,
} from '@orgplane/resources-domain';
export { ResourceEntity } from './infrastructure/resource.entity';
export { ResourcesRegistryQuery } from './infrastructure/resources-registry.query';
export { WorkspaceReferencesQuery } from './infrastructure/workspace-references.query';
export const registryEntities = [ResourceEntity];
export const registryTables = [resourcesRegistryProjection];
