import { Column, Entity, PrimaryColumn } from 'typeorm';

export const WORKSPACES_TABLE = 'workspaces';

/** PostgreSQL hands `bigint` back as text; quotas stay far below 2^53. */
const bigintAsNumber = { to: (value: number) => value, from: (value: string) => Number(value) };

/** A row of the `workspaces` read model (see workspaces.projection.ts for its DDL). */
@Entity({ name: WORKSPACES_TABLE })
export class WorkspaceEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('text')
  slug!: string;

  @Column('text')
  name!: string;

  @Column('boolean', { name: 'is_personal' })
  isPersonal!: boolean;

  @Column('uuid', { name: 'owner_user_id' })
  ownerUserId!: string;

  @Column('bigint', { name: 'quota_bytes', transformer: bigintAsNumber })
  quotaBytes!: number;

  /** null for a Personal workspace, which a reaction created */
  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
