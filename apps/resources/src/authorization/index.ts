import {
  AccessApiKeyEntity,
  AccessMemberEntity,
  AccessPolicyEntity,
} from './infrastructure/access-tables.entity';
import {
  accessApiKeysProjection,
  accessMembersProjection,
  accessPoliciesProjection,
} from './infrastructure/access-tables.projection';

export { AuthorizationModule } from './application/authorization.module';
export { AuthorizationIndex } from './application/authorization-index';
export { AccessIndex, authorizationView } from './domain/access-index';
export const accessEntities = [AccessMemberEntity, AccessApiKeyEntity, AccessPolicyEntity];
export const accessTables = [
  accessMembersProjection,
  accessApiKeysProjection,
  accessPoliciesProjection,
];
