import { Module, type DynamicModule } from '@nestjs/common';
import { EventSourcingModule } from '@orgplane/messaging';
import { IDENTITY_CONFIG, type IdentityConfig } from './identity.config';
import { userEntities, userProjections, UsersModule } from './users';

@Module({})
export class AppModule {
  static register(config: IdentityConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        EventSourcingModule.forRoot({
          databaseUrl: config.DATABASE_URL,
          poolMax: config.DATABASE_POOL_MAX,
          eventStoreUrl: config.EVENTSTORE_URL,
          eventStoreSchema: config.EVENTSTORE_SCHEMA,
          readModelSchema: config.READ_MODEL_SCHEMA,
          entities: userEntities,
          projections: userProjections,
          consistencyWaitMs: config.CONSISTENCY_WAIT_MS,
        }),
        UsersModule,
      ],
      providers: [{ provide: IDENTITY_CONFIG, useValue: config }],
      exports: [IDENTITY_CONFIG],
    };
  }
}
