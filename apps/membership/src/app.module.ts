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
        EventSourcingModule.forRoot({
          databaseUrl: config.DATABASE_URL,
          poolMax: config.DATABASE_POOL_MAX,
          eventStoreUrl: config.EVENTSTORE_URL,
          eventStoreSchema: config.EVENTSTORE_SCHEMA,
          readModelSchema: config.READ_MODEL_SCHEMA,
          entities: organizationEntities,
          projections: organizationProjections,
          consistencyWaitMs: config.CONSISTENCY_WAIT_MS,
        }),
        OrganizationsModule,
      ],
    };
  }
}
