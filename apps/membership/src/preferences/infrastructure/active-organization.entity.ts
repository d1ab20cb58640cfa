import { Column, Entity, PrimaryColumn } from 'typeorm';

export const ACTIVE_ORGANIZATIONS_TABLE = 'active_organizations';

/**
 * A row of the `active_organizations` read model (see active-organizations.projection.ts): the
 * organization a user last switched to. It stays when the user leaves that organization; access
 * answers check the membership.
 */
@Entity({ name: ACTIVE_ORGANIZATIONS_TABLE })
export class ActiveOrganizationEntity {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('timestamptz', { name: 'switched_at' })
  switchedAt!: Date;
}
