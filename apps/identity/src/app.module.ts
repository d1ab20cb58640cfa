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
        EventSourcingModule.forService(config, {
          entities: userEntities,
          projections: userProjections,
        }),
        UsersModule,
      ],
      providers: [{ provide: IDENTITY_CONFIG, useValue: config }],
      exports: [IDENTITY_CONFIG],
    };
  }
}
