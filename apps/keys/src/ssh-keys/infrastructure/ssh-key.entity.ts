import { Column, Entity, PrimaryColumn } from 'typeorm';

export const SSH_KEYS_TABLE = 'ssh_keys';

/** A row of the `ssh_keys` read model (see ssh-keys.projection.ts for its DDL). */
@Entity({ name: SSH_KEYS_TABLE })
export class SshKeyEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('uuid', { name: 'owner_user_id' })
  ownerUserId!: string;

  @Column('text')
  name!: string;

  /** `<type> <base64>` */
  @Column('text', { name: 'public_key' })
  publicKey!: string;

  @Column('text', { name: 'key_type' })
  keyType!: string;

  @Column('text')
  fingerprint!: string;

  @Column('integer')
  bits!: number;

  @Column('text', { nullable: true })
  comment!: string | null;

  @Column('uuid', { name: 'project_id', nullable: true })
  projectId!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
