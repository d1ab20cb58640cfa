import { SecretAccessEntity } from './infrastructure/secret-access.entity';
import { secretAccessProjection } from './infrastructure/secret-access.projection';
import { SecretVersionEntity } from './infrastructure/secret-version.entity';
import { secretVersionsProjection } from './infrastructure/secret-versions.projection';
import { SecretEntity } from './infrastructure/secret.entity';
import { secretsProjection } from './infrastructure/secrets.projection';

export { SecretsModule } from './application/secrets.module';
export { SecretDestruction } from './application/secret-destruction';
export { SecretDisclosure } from './application/secret-disclosure';
export {
  currentVersion,
  type Secret,
  secretDecider,
  secretIdOf,
  secretNameOf,
} from '@orgplane/secrets-vault-domain';
export const secretEntities = [SecretEntity, SecretVersionEntity, SecretAccessEntity];
export const secretTables = [secretsProjection, secretVersionsProjection, secretAccessProjection];
