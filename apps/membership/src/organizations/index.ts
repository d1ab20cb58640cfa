import { InvitationEntity } from './infrastructure/invitation.entity';
import { invitationsProjection } from './infrastructure/invitations.projection';
import { OrganizationMemberEntity } from './infrastructure/organization-member.entity';
import { organizationMembersProjection } from './infrastructure/organization-members.projection';
import { OrganizationEntity } from './infrastructure/organization.entity';
import { organizationsProjection } from './infrastructure/organizations.projection';

export { OrganizationsModule } from './application/organizations.module';
export const organizationEntities = [
  OrganizationEntity,
  OrganizationMemberEntity,
  InvitationEntity,
];
/** The tables folded from the organization streams. */
export const organizationTables = [
  organizationsProjection,
  organizationMembersProjection,
  invitationsProjection,
];
