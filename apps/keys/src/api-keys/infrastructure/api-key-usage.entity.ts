import { Column, Entity, PrimaryColumn } from 'typeorm';

export const API_KEY_USAGE_TABLE = 'api_key_usage';

/**
 * When each API key was last used, to the minute. Not a read model: no event records a use, so a
 * rebuild of the `keys` projection must not touch it (see ApiKeyUsageStore for its DDL).
 */
@Entity({ name: API_KEY_USAGE_TABLE })
export class ApiKeyUsageEntity {
  @PrimaryColumn('uuid', { name: 'key_id' })
  keyId!: string;

  @Column('timestamptz', { name: 'last_used_at' })
  lastUsedAt!: Date;
}
