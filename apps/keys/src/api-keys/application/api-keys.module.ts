import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProfilesModule } from '../../profiles';
import { ProjectsModule } from '../../projects';
import { ApiKeyUsageStore } from '../infrastructure/api-key-usage.store';
import { ApiKeyEntity } from '../infrastructure/api-key.entity';
import { ApiKeysQuery } from '../infrastructure/api-keys.query';
import { ApiKeysUsedListener } from './api-keys-used.listener';
import { ApiKeysHandlers } from './api-keys.handlers';

@Module({
  imports: [TypeOrmModule.forFeature([ApiKeyEntity]), ProfilesModule, ProjectsModule],
  controllers: [ApiKeysHandlers],
  providers: [ApiKeysQuery, ApiKeyUsageStore, ApiKeysUsedListener],
})
export class ApiKeysModule {}
