import { Column, Entity, PrimaryColumn } from 'typeorm';

export const PROJECTS_TABLE = 'projects';

/** A row of the `projects` read model (see projects.projection.ts for its DDL). */
@Entity({ name: PROJECTS_TABLE })
export class ProjectEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('text')
  name!: string;

  /** `#rrggbb`, lowercase */
  @Column('text', { nullable: true })
  color!: string | null;

  @Column('boolean', { name: 'is_default' })
  isDefault!: boolean;

  /** null for the default project, which a reaction created */
  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
