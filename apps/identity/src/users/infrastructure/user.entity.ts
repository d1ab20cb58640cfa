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

  @Column('text')
  provider!: string;

  @Column('timestamptz', { name: 'signed_up_at' })
  signedUpAt!: Date;
}
