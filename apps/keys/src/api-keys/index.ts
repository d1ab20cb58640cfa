import { ApiKeyUsageEntity } from './infrastructure/api-key-usage.entity';
import { ApiKeyEntity } from './infrastructure/api-key.entity';
import { apiKeysProjection } from './infrastructure/api-keys.projection';

export { ApiKeysModule } from './application/api-keys.module';
export const apiKeyEntities = [ApiKeyEntity, ApiKeyUsageEntity];
export const apiKeyTables = [apiKeysProjection];
