import { Module, type DynamicModule } from '@nestjs/common';
import { EventSourcingModule } from '@orgplane/messaging';
import type { MembershipConfig } from './membership.config';
import {
  organizationEntities,
  organizationProjections,
  OrganizationsModule,
} from './organizations';

@Module({})
export class AppModule {
  static register(config: MembershipConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        EventSourcingModule.forService(config, {
          entities: organizationEntities,
          projections: organizationProjections,
        }),
        OrganizationsModule,
      ],
    };
  }
}
