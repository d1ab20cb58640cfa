import { Column, Entity, PrimaryColumn } from 'typeorm';

export const SECRET_VERSIONS_TABLE = 'secret_versions';

/**
 * A row of the `secret_versions` read model (see secret-versions.projection.ts): a version the
 * secret keeps, without its value (the sealed value stays in the events).
 */
@Entity({ name: SECRET_VERSIONS_TABLE })
export class SecretVersionEntity {
  @PrimaryColumn('uuid', { name: 'secret_id' })
  secretId!: string;

  @PrimaryColumn('integer')
  version!: number;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  /** the event that wrote it: the tie-breaker of the pages */
  @Column('uuid', { name: 'event_id' })
  eventId!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('uuid', { name: 'created_by' })
  createdBy!: string;
}
