import type { OrganizationRole } from '@orgplane/contracts';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { MemberProfileEntity } from '../../profiles/infrastructure/member-profile.entity';
import { OrganizationEntity } from './organization.entity';

export const ORGANIZATION_MEMBERS_TABLE = 'organization_members';

/** A row of the `organization_members` read model (see organization-members.projection.ts). */
@Entity({ name: ORGANIZATION_MEMBERS_TABLE })
export class OrganizationMemberEntity {
  @PrimaryColumn('uuid', { name: 'organization_id' })
  organizationId!: string;

  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  @Column('text')
  role!: OrganizationRole;

  @Column('timestamptz', { name: 'joined_at' })
  joinedAt!: Date;

  /** Read models are written by separate projections, in any order: no foreign key. */
  @ManyToOne(() => OrganizationEntity, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'organization_id' })
  organization?: OrganizationEntity;

  /** null while identity has told nothing about the user */
  @ManyToOne(() => MemberProfileEntity, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'user_id' })
  profile?: MemberProfileEntity | null;
}
