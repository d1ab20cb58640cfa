import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProfilesModule } from '../../profiles';
import { InvitationEntity } from '../infrastructure/invitation.entity';
import { InvitationsQuery } from '../infrastructure/invitations.query';
import { OrganizationMemberEntity } from '../infrastructure/organization-member.entity';
import { OrganizationMembersQuery } from '../infrastructure/organization-members.query';
import { OrganizationEntity } from '../infrastructure/organization.entity';
import { OrganizationsQuery } from '../infrastructure/organizations.query';
import { InvitationsHandlers } from './invitations.handlers';
import { MembersHandlers } from './members.handlers';
import { OrganizationCommands } from './organization-commands';
import { OrganizationsHandlers } from './organizations.handlers';

@Module({
  imports: [
    TypeOrmModule.forFeature([OrganizationEntity, OrganizationMemberEntity, InvitationEntity]),
    ProfilesModule,
  ],
  controllers: [OrganizationsHandlers, MembersHandlers, InvitationsHandlers],
  providers: [OrganizationCommands, OrganizationsQuery, OrganizationMembersQuery, InvitationsQuery],
  exports: [OrganizationsQuery, OrganizationMembersQuery],
})
export class OrganizationsModule {}
