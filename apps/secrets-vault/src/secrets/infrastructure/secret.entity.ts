import type { SecretCategory, SecretScope, SecretStatus } from '@orgplane/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export const SECRETS_TABLE = 'secrets';

/** A row of the `secrets` read model (see secrets.projection.ts for its DDL): never a value. */
@Entity({ name: SECRETS_TABLE })
export class SecretEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  /** null: org-shared */
  @Column('uuid', { name: 'owner_user_id', nullable: true })
  ownerUserId!: string | null;

  @Column('text')
  name!: string;

  @Column('text')
  category!: SecretCategory;

  @Column('text')
  scope!: SecretScope;

  @Column('text', { nullable: true })
  description!: string | null;

  /** the current version */
  @Column('integer')
  version!: number;

  @Column('text')
  status!: SecretStatus;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('uuid', { name: 'created_by' })
  createdBy!: string;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('uuid', { name: 'updated_by' })
  updatedBy!: string;

  @Column('timestamptz', { name: 'deleted_at', nullable: true })
  deletedAt!: Date | null;
}
