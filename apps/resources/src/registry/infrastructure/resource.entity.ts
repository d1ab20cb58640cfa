import type { ResourceKind, ResourceVisibility } from '@orgplane/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export const RESOURCES_REGISTRY_TABLE = 'resources_registry';

/** A row of the `resources_registry` read model (see resources-registry.projection.ts for its DDL). */
@Entity({ name: RESOURCES_REGISTRY_TABLE })
export class ResourceEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('text')
  kind!: ResourceKind;

  @Column('text')
  name!: string;

  @Column('uuid', { name: 'owner_user_id' })
  ownerUserId!: string;

  @Column('uuid', { name: 'project_id' })
  projectId!: string;

  @Column('text')
  visibility!: ResourceVisibility;

  @Column('uuid', { name: 'workspace_ids', array: true })
  workspaceIds!: string[];

  /** the platform service that registered it */
  @Column('text', { name: 'registered_by' })
  registeredBy!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
