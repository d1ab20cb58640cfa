import { MemberProfileEntity } from './infrastructure/member-profile.entity';
import { memberProfilesProjection } from './infrastructure/member-profiles.projection';

export { ProfilesModule } from './infrastructure/profiles.module';
export { MemberProfilesQuery } from './infrastructure/member-profiles.query';
export { MemberProfileEntity };
export const profileEntities = [MemberProfileEntity];
export const profileTables = [memberProfilesProjection];
