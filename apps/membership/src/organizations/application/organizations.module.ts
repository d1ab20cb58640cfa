import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrganizationMemberEntity } from '../infrastructure/organization-member.entity';
import { OrganizationsQuery } from '../infrastructure/organizations.query';
import { OrganizationsHandlers } from './organizations.handlers';

@Module({
  imports: [TypeOrmModule.forFeature([OrganizationMemberEntity])],
  controllers: [OrganizationsHandlers],
  providers: [OrganizationsQuery],
})
export class OrganizationsModule {}
