import { Column, Entity, PrimaryColumn } from 'typeorm';

export const SECRET_ACCESS_TABLE = 'secret_access';

/**
 * A row of the `secret_access` read model (see secret-access.projection.ts): one reveal or
 * resolution of a secret's value.
 */
@Entity({ name: SECRET_ACCESS_TABLE })
export class SecretAccessEntity {
  @PrimaryColumn('uuid', { name: 'event_id' })
  eventId!: string;

  @Column('uuid', { name: 'secret_id' })
  secretId!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('text')
  kind!: 'revealed' | 'resolved';

  @Column('integer')
  version!: number;

  @Column('timestamptz')
  at!: Date;

  /** who saw it (reveal), or for whom a service used it (resolution) */
  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @Column('uuid', { name: 'api_key_id', nullable: true })
  apiKeyId!: string | null;

  @Column('text', { nullable: true })
  resolver!: string | null;

  @Column('text', { name: 'request_id', nullable: true })
  requestId!: string | null;
}
