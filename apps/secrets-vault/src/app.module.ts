import { Module } from '@nestjs/common';

/** Empty until the service gets its first feature; it already answers `secrets-vault.v1.health`. */
@Module({})
export class AppModule {}
