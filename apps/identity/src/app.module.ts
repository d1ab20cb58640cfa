import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceClient, type Logger } from '@orgplane/messaging';
import { EventSourcingModule } from '@orgplane/event-sourcing';
import { IDENTITY_CONFIG, type IdentityConfig } from './identity.config';
import { userEntities, userProjections, UsersModule } from './users';
import { Workos, WorkosJwks, WorkosModule } from './workos';

/** Other services answer within this; past it, a WorkOS webhook fails and WorkOS retries it. */
const SERVICE_REQUEST_TIMEOUT_MS = 5000;

@Module({})
export class AppModule {
  static register(config: IdentityConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        EventSourcingModule.forService(config, {
          entities: userEntities,
          projections: userProjections,
        }),
        UsersModule,
        WorkosModule,
      ],
      providers: [
        { provide: IDENTITY_CONFIG, useValue: config },
        Workos,
        WorkosJwks,
        {
          provide: ServiceClient,
          useFactory: () =>
            new ServiceClient({
              natsUrl: config.NATS_URL,
              defaultTimeoutMs: SERVICE_REQUEST_TIMEOUT_MS,
              name: 'identity-client',
              logger,
            }),
        },
      ],
      exports: [IDENTITY_CONFIG, Workos, WorkosJwks, ServiceClient],
    };
  }
}
