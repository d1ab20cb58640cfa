import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrganizationsModule } from '../../organizations';
import { ActiveOrganizationEntity } from '../infrastructure/active-organization.entity';
import { ActiveOrganizationsQuery } from '../infrastructure/active-organizations.query';
import { AccessHandlers } from './access.handlers';

@Module({
  imports: [TypeOrmModule.forFeature([ActiveOrganizationEntity]), OrganizationsModule],
  controllers: [AccessHandlers],
  providers: [ActiveOrganizationsQuery],
})
export class PreferencesModule {}
