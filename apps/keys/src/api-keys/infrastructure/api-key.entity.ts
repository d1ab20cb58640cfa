import type { Scope } from '@orgplane/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { MemberProfileEntity } from '../../profiles';
import type { ApiKeyUsageEntity } from './api-key-usage.entity';

export const API_KEYS_TABLE = 'api_keys';

/** A row of the `api_keys` read model (see api-keys.projection.ts for its DDL). */
@Entity({ name: API_KEYS_TABLE })
export class ApiKeyEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('uuid', { name: 'owner_user_id' })
  ownerUserId!: string;

  @Column('text')
  name!: string;

  @Column('text', { name: 'key_prefix' })
  keyPrefix!: string;

  /** SHA-256 of the current secret, hex */
  @Column('text', { name: 'key_hash' })
  keyHash!: string;

  /** the secret a rotation replaced, valid until `previousValidUntil` */
  @Column('text', { name: 'previous_key_hash', nullable: true })
  previousKeyHash!: string | null;

  @Column('timestamptz', { name: 'previous_valid_until', nullable: true })
  previousValidUntil!: Date | null;

  @Column('text', { array: true })
  scopes!: Scope[];

  @Column('uuid', { name: 'project_id', nullable: true })
  projectId!: string | null;

  @Column('boolean', { name: 'is_test' })
  isTest!: boolean;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt!: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  /** joined by the queries that show a key (leftJoinAndMapOne): when it was last used */
  usage?: ApiKeyUsageEntity | null;

  /** joined likewise: null while identity has told nothing about the owner */
  owner?: MemberProfileEntity | null;
}
