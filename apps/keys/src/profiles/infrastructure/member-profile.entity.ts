import { Column, Entity, PrimaryColumn } from 'typeorm';

export const MEMBER_PROFILES_TABLE = 'member_profiles';

/**
 * A row of the `member_profiles` read model (see member-profiles.projection.ts): the name and
 * email the identity service's events give a user, shown as the owner of an API key.
 */
@Entity({ name: MEMBER_PROFILES_TABLE })
export class MemberProfileEntity {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  /** lowercase */
  @Column('text')
  email!: string;

  @Column('text', { name: 'first_name', nullable: true })
  firstName!: string | null;

  @Column('text', { name: 'last_name', nullable: true })
  lastName!: string | null;
}
