import { Module, type DynamicModule } from '@nestjs/common';
import { CommandRunner, EventSourcingModule } from '@orgplane/event-sourcing';
import { MembershipClient, ServiceClient, type Logger } from '@orgplane/messaging';
import { AuthorizationModule } from './authorization';
import { MemberRemovalModule } from './member-removal';
import { ProjectsModule } from './projects';
import { resourcesEntities, resourcesProjections } from './read-models';
import { RegistryModule } from './registry';
import { RESOURCES_CONFIG, type ResourcesConfig } from './resources.config';
import { WorkspacesModule } from './workspaces';

/** Membership answers within this; past it, a request that asked fails with 503. */
const SERVICE_REQUEST_TIMEOUT_MS = 5000;

@Module({})
export class AppModule {
  static register(config: ResourcesConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        EventSourcingModule.forService(config, {
          entities: resourcesEntities,
          projections: resourcesProjections,
        }),
        ProjectsModule,
        WorkspacesModule,
        RegistryModule,
        AuthorizationModule,
        MemberRemovalModule,
      ],
      providers: [
        { provide: RESOURCES_CONFIG, useValue: config },
        {
          provide: ServiceClient,
          useFactory: () =>
            new ServiceClient({
              natsUrl: config.NATS_URL,
              defaultTimeoutMs: SERVICE_REQUEST_TIMEOUT_MS,
              name: 'resources-client',
              logger,
            }),
        },
        MembershipClient,
        CommandRunner,
      ],
      exports: [RESOURCES_CONFIG, MembershipClient, CommandRunner],
    };
  }
}
