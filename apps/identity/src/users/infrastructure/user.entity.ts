import { Column, Entity, PrimaryColumn } from 'typeorm';

export const USERS_TABLE = 'users';

/** A row of the `users` read model (see users.projection.ts for its DDL). */
@Entity({ name: USERS_TABLE })
export class UserEntity {
  @PrimaryColumn('uuid')
  id!: string;

  /** lowercase */
  @Column('text')
  email!: string;

  @Column('boolean', { name: 'email_verified' })
  emailVerified!: boolean;

  @Column('text', { name: 'first_name', nullable: true })
  firstName!: string | null;

  @Column('text', { name: 'last_name', nullable: true })
  lastName!: string | null;

  @Column('text', { name: 'profile_picture_url', nullable: true })
  profilePictureUrl!: string | null;

  /** `development` or `workos` */
  @Column('text')
  provider!: string;

  /** the WorkOS user (`user_…`), for the `workos` provider */
  @Column('text', { name: 'workos_user_id', nullable: true })
  workosUserId!: string | null;

  @Column('timestamptz', { name: 'signed_up_at' })
  signedUpAt!: Date;
}
