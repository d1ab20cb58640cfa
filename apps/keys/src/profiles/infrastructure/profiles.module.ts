import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MemberProfileEntity } from './member-profile.entity';
import { MemberProfilesQuery } from './member-profiles.query';

/** Member profiles come from the identity service's events; this service only reads them. */
@Module({
  imports: [TypeOrmModule.forFeature([MemberProfileEntity])],
  providers: [MemberProfilesQuery],
  exports: [MemberProfilesQuery],
})
export class ProfilesModule {}
