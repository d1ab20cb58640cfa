import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SecretAccessEntity } from '../infrastructure/secret-access.entity';
import { SecretAccessQuery } from '../infrastructure/secret-access.query';
import { SecretVersionEntity } from '../infrastructure/secret-version.entity';
import { SecretVersionsQuery } from '../infrastructure/secret-versions.query';
import { SecretEntity } from '../infrastructure/secret.entity';
import { SecretsQuery } from '../infrastructure/secrets.query';
import { SecretDestruction } from './secret-destruction';
import { SecretDisclosure } from './secret-disclosure';
import { SecretsHandlers } from './secrets.handlers';

@Module({
  imports: [TypeOrmModule.forFeature([SecretEntity, SecretVersionEntity, SecretAccessEntity])],
  controllers: [SecretsHandlers],
  providers: [
    SecretsQuery,
    SecretVersionsQuery,
    SecretAccessQuery,
    SecretDisclosure,
    SecretDestruction,
  ],
  // Resolution discloses values the same way; the member-removal reaction destroys secrets.
  exports: [SecretDisclosure, SecretDestruction],
})
export class SecretsModule {}
