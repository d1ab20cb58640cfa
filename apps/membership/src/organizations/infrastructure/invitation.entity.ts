import type { OrganizationRole } from '@orgplane/contracts';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { OrganizationEntity } from './organization.entity';

export const INVITATIONS_TABLE = 'invitations';

/**
 * A row of the `invitations` read model (see invitations.projection.ts). Its status is not stored:
 * expiry depends on when it is read (see invitationStatus).
 */
@Entity({ name: INVITATIONS_TABLE })
export class InvitationEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  /** lowercase */
  @Column('text')
  email!: string;

  @Column('text')
  role!: OrganizationRole;

  @Column('uuid', { name: 'invited_by' })
  invitedBy!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;

  @Column('timestamptz', { name: 'accepted_at', nullable: true })
  acceptedAt!: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  /** Read models are written by separate projections, in any order: no foreign key. */
  @ManyToOne(() => OrganizationEntity, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'organization_id' })
  organization?: OrganizationEntity;
}
