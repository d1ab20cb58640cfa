import { OrganizationMemberEntity } from './infrastructure/organization-member.entity';
import { OrganizationEntity } from './infrastructure/organization.entity';
import { organizationMembersProjection } from './infrastructure/organization-members.projection';
import { organizationsProjection } from './infrastructure/organizations.projection';

export { OrganizationsModule } from './application/organizations.module';
export const organizationEntities = [OrganizationEntity, OrganizationMemberEntity];
export const organizationProjections = [organizationsProjection, organizationMembersProjection];
