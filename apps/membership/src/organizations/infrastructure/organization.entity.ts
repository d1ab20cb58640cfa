import type { OrganizationPlan, OrganizationSettings } from '@orgplane/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export const ORGANIZATIONS_TABLE = 'organizations';

/** A row of the `organizations` read model (see organizations.projection.ts for its DDL). */
@Entity({ name: ORGANIZATIONS_TABLE })
export class OrganizationEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text')
  slug!: string;

  @Column('text')
  plan!: OrganizationPlan;

  @Column('jsonb')
  settings!: OrganizationSettings;

  @Column('uuid', { name: 'created_by' })
  createdBy!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
