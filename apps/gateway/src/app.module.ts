import { Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { NatsBroadcast, ServiceClient, type Logger } from '@orgplane/messaging';
import { ActivityModule } from './activity/activity.module';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuthModule } from './auth/auth.module';
import { AuthorizationModule } from './authorization/authorization.module';
import { ConventionsModule } from './conventions/conventions.module';
import { HistoryModule } from './history/history.module';
import { GATEWAY_CONFIG, type GatewayConfig } from './gateway.config';
import { InvitationsModule } from './invitations/invitations.module';
import { MembersModule } from './members/members.module';
import { OrganizationsModule } from './organizations/organizations.module';
import { ProjectsModule } from './projects/projects.module';
import { RegistryModule } from './registry/registry.module';
import { SecretsModule } from './secrets/secrets.module';
import { SshKeysModule } from './ssh-keys/ssh-keys.module';
import { WorkspacesModule } from './workspaces/workspaces.module';

@Injectable()
class NatsBroadcastCloser implements OnApplicationShutdown {
  constructor(private readonly broadcast: NatsBroadcast) {}

  async onApplicationShutdown(): Promise<void> {
    await this.broadcast.close();
  }
}

@Module({})
export class AppModule {
  static register(config: GatewayConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        AuthModule,
        AuthorizationModule,
        OrganizationsModule,
        MembersModule,
        InvitationsModule,
        ApiKeysModule,
        SshKeysModule,
        SecretsModule,
        ProjectsModule,
        WorkspacesModule,
        RegistryModule,
        ActivityModule.register(logger),
        HistoryModule,
        ConventionsModule.register({ config, logger }),
      ],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        {
          provide: ServiceClient,
          useFactory: () =>
            new ServiceClient({
              natsUrl: config.NATS_URL,
              defaultTimeoutMs: config.REQUEST_TIMEOUT_MS,
              name: 'gateway',
              logger,
            }),
        },
        {
          // Change notices in, idempotency records out: one more connection beside the client's.
          provide: NatsBroadcast,
          useFactory: () =>
            NatsBroadcast.connect({ natsUrl: config.NATS_URL, name: 'gateway-broadcast', logger }),
        },
        NatsBroadcastCloser,
      ],
      exports: [GATEWAY_CONFIG, ServiceClient, NatsBroadcast],
    };
  }
}
