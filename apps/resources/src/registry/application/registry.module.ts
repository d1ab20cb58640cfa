import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ResourceEntity } from '../infrastructure/resource.entity';
import { ResourcesRegistryQuery } from '../infrastructure/resources-registry.query';
import { WorkspaceReferencesQuery } from '../infrastructure/workspace-references.query';
import { RegistrarHandlers } from './registrar.handlers';
import { RegistryHandlers } from './registry.handlers';
import { ResourceReferences } from './resource-references';

@Module({
  imports: [TypeOrmModule.forFeature([ResourceEntity])],
  controllers: [RegistryHandlers, RegistrarHandlers],
  providers: [ResourcesRegistryQuery, WorkspaceReferencesQuery, ResourceReferences],
  exports: [ResourcesRegistryQuery, WorkspaceReferencesQuery],
})
export class RegistryModule {}
