import { Module, type DynamicModule } from '@nestjs/common';
import { CommandRunner, EventSourcingModule } from '@orgplane/event-sourcing';
import { AuthorizationModule } from './authorization';
import { MemberRemovalModule } from './member-removal';
import { ProjectsModule } from './projects';
import { resourcesEntities, resourcesProjections } from './read-models';
import { RegistryModule } from './registry';
import { RESOURCES_CONFIG, type ResourcesConfig } from './resources.config';
import { WorkspacesModule } from './workspaces';

@Module({})
export class AppModule {
  static register(config: ResourcesConfig): DynamicModule {
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
      providers: [{ provide: RESOURCES_CONFIG, useValue: config }, CommandRunner],
      exports: [RESOURCES_CONFIG, CommandRunner],
    };
  }
}
