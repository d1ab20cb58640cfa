import { Module, type DynamicModule } from '@nestjs/common';
import { NatsBroadcast, type Logger } from '@orgplane/messaging';
import { EventSourcingModule, CommandRunner } from '@orgplane/event-sourcing';
import { AccessChanges } from './common/access-changes';
import type { MembershipConfig } from './membership.config';
import { OrganizationsModule } from './organizations';
import { PreferencesModule } from './preferences';
import { membershipEntities, membershipProjections } from './read-models';

@Module({})
export class AppModule {
  static register(config: MembershipConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        EventSourcingModule.forService(config, {
          entities: membershipEntities,
          projections: membershipProjections,
        }),
        OrganizationsModule,
        PreferencesModule,
      ],
      providers: [
        {
          provide: NatsBroadcast,
          useFactory: () =>
            NatsBroadcast.connect({
              natsUrl: config.NATS_URL,
              name: 'membership-broadcast',
              logger,
            }),
        },
        AccessChanges,
        CommandRunner,
      ],
      exports: [CommandRunner, AccessChanges],
    };
  }
}
