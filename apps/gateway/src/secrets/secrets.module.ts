import { Module } from '@nestjs/common';
import { SecretWrites } from './secret-writes';
import { SecretsController } from './secrets.controller';

@Module({ controllers: [SecretsController], providers: [SecretWrites] })
export class SecretsModule {}
