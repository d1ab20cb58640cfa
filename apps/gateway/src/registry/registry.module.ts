import { Module } from '@nestjs/common';
import { REGISTRY_CONTROLLERS } from './registry.controllers';

@Module({ controllers: REGISTRY_CONTROLLERS })
export class RegistryModule {}
