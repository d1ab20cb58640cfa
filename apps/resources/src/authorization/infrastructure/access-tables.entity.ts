import type { OrganizationRole, Scope } from '@orgplane/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export const ACCESS_MEMBERS_TABLE = 'access_members';
export const ACCESS_API_KEYS_TABLE = 'access_api_keys';
export const ACCESS_POLICIES_TABLE = 'access_policies';

/**
 * Who is a member of which organization, with which role (from membership's organization events):
 * what the authorizer needs of membership, kept here so a check never asks another service.
 */
@Entity({ name: ACCESS_MEMBERS_TABLE })
export class AccessMemberEntity {
  @PrimaryColumn('uuid', { name: 'organization_id' })
  organizationId!: string;

  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  @Column('text')
  role!: OrganizationRole;
}

/**
 * What the authorizer needs of an API key (from keys' events): whose it is, where, and what it may
 * do. Rotation keeps the id, so it changes nothing here; the secret is the gateway's business.
 */
@Entity({ name: ACCESS_API_KEYS_TABLE })
export class AccessApiKeyEntity {
  @PrimaryColumn('uuid', { name: 'key_id' })
  keyId!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('uuid', { name: 'owner_user_id' })
  ownerUserId!: string;

  @Column('text', { array: true })
  scopes!: Scope[];

  @Column('boolean')
  revoked!: boolean;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt!: Date | null;
}

/**
 * An organization's policy as far as resources go; organizations without a row have the defaults
 * (DEFAULT_ORGANIZATION_SETTINGS), which is every organization that never changed its settings.
 */
@Entity({ name: ACCESS_POLICIES_TABLE })
export class AccessPolicyEntity {
  @PrimaryColumn('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('boolean', { name: 'allow_public_resources' })
  allowPublicResources!: boolean;
}
