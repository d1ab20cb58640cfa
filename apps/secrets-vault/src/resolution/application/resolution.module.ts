import { Module } from '@nestjs/common';
import { SecretsModule } from '../../secrets';
import { ResolutionHandlers } from './resolution.handlers';

@Module({
  imports: [SecretsModule],
  controllers: [ResolutionHandlers],
})
export class ResolutionModule {}
