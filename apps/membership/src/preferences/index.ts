import { ActiveOrganizationEntity } from './infrastructure/active-organization.entity';
import { activeOrganizationsProjection } from './infrastructure/active-organizations.projection';

export { PreferencesModule } from './application/preferences.module';
export const preferenceEntities = [ActiveOrganizationEntity];
export const preferenceTables = [activeOrganizationsProjection];
