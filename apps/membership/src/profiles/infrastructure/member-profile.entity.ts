import { Column, Entity, PrimaryColumn } from 'typeorm';

export const MEMBER_PROFILES_TABLE = 'member_profiles';

/**
 * A row of the `member_profiles` read model (see member-profiles.projection.ts): what the identity
 * service's events say about a user, for member lists and for matching invitations to invitees.
 */
@Entity({ name: MEMBER_PROFILES_TABLE })
export class MemberProfileEntity {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  /** lowercase */
  @Column('text')
  email!: string;

  @Column('boolean', { name: 'email_verified' })
  emailVerified!: boolean;

  @Column('text', { name: 'first_name', nullable: true })
  firstName!: string | null;

  @Column('text', { name: 'last_name', nullable: true })
  lastName!: string | null;
}
