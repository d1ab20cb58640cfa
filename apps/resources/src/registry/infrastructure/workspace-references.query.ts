import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ResourceEntity } from './resource.entity';

/**
 * For the workspaces' usage and deletion: the registered resources that mount or attach a
 * workspace, oldest first. Whether the caller may see each is theirs to decide
 * (decideResourceAccess with `read`).
 */
@Injectable()
export class WorkspaceReferencesQuery {
  constructor(
    @InjectRepository(ResourceEntity) private readonly resources: Repository<ResourceEntity>,
  ) {}

  referencing(organizationId: string, workspaceId: string): Promise<ResourceEntity[]> {
    return this.resources
      .createQueryBuilder('resource')
      .where('resource.organizationId = :organizationId', { organizationId })
      .andWhere('resource.workspaceIds @> ARRAY[:workspaceId]::uuid[]', { workspaceId })
      .orderBy('resource.createdAt')
      .addOrderBy('resource.id')
      .getMany();
  }
}
