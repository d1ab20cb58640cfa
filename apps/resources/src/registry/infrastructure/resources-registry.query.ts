import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { PageInfo, PageRequest, ResourceKind, ResourceVisibility } from '@orgplane/contracts';
import { keysetPage, toPage } from '@orgplane/event-sourcing';
import type { Repository } from 'typeorm';
import { ResourceEntity } from './resource.entity';

export interface ResourceFilter {
  organizationId: string;
  kind: ResourceKind;
  /** this member's private resources besides everyone's org-visible and public ones; null: every member's (all=true) */
  privateOf: string | null;
  projectId?: string;
  visibility?: ResourceVisibility;
}

@Injectable()
export class ResourcesRegistryQuery {
  constructor(
    @InjectRepository(ResourceEntity) private readonly resources: Repository<ResourceEntity>,
  ) {}

  /** Oldest first (the order they were registered in). */
  async page(
    { organizationId, kind, privateOf, projectId, visibility }: ResourceFilter,
    request: PageRequest,
  ): Promise<{ rows: ResourceEntity[]; page: PageInfo }> {
    const query = this.resources
      .createQueryBuilder('resource')
      .where('resource.organizationId = :organizationId', { organizationId })
      .andWhere('resource.kind = :kind', { kind });
    if (privateOf) {
      query.andWhere(
        "(resource.ownerUserId = :privateOf OR resource.visibility IN ('org', 'public'))",
        { privateOf },
      );
    }
    if (projectId) query.andWhere('resource.projectId = :projectId', { projectId });
    if (visibility) query.andWhere('resource.visibility = :visibility', { visibility });
    const rows = await keysetPage(query, ['resource.createdAt', 'resource.id'], request).getMany();
    return toPage(rows, request, (row) => ({ at: row.createdAt, id: row.id }));
  }

  find(resourceId: string): Promise<ResourceEntity | null> {
    return this.resources.findOneBy({ id: resourceId });
  }
}
