import { Module, type DynamicModule } from '@nestjs/common';
import { EventSourcingModule, CommandRunner } from '@orgplane/event-sourcing';
import { NatsBroadcast, type Logger } from '@orgplane/messaging';
import { ApiKeysModule } from './api-keys';
import { ApiKeyChanges } from './common/api-key-changes';
import { KEYS_CONFIG, type KeysConfig } from './keys.config';
import { MemberRemovalModule } from './member-removal';
import { keysEntities, keysProjections } from './read-models';
import { SshKeysModule } from './ssh-keys';

@Module({})
export class AppModule {
  static register(config: KeysConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        EventSourcingModule.forService(config, {
          entities: keysEntities,
          projections: keysProjections,
        }),
        ApiKeysModule,
        SshKeysModule,
        MemberRemovalModule,
      ],
      providers: [
        { provide: KEYS_CONFIG, useValue: config },
        {
          provide: NatsBroadcast,
          useFactory: () =>
            NatsBroadcast.connect({ natsUrl: config.NATS_URL, name: 'keys-broadcast', logger }),
        },
        ApiKeyChanges,
        CommandRunner,
      ],
      exports: [KEYS_CONFIG, NatsBroadcast, ApiKeyChanges, CommandRunner],
    };
  }
}
