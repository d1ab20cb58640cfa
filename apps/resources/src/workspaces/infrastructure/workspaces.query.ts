import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { PageInfo, PageRequest } from '@orgplane/contracts';
import { keysetPage, toPage } from '@orgplane/event-sourcing';
import type { Repository } from 'typeorm';
import { WorkspaceEntity } from './workspace.entity';

export interface WorkspaceFilter {
  organizationId: string;
  /** whose Personal workspace to include; null: every member's (all=true) */
  personalOf: string | null;
}

@Injectable()
export class WorkspacesQuery {
  constructor(
    @InjectRepository(WorkspaceEntity) private readonly workspaces: Repository<WorkspaceEntity>,
  ) {}

  /** The organization workspaces and the Personal ones asked for, oldest first. */
  async page(
    { organizationId, personalOf }: WorkspaceFilter,
    request: PageRequest,
  ): Promise<{ rows: WorkspaceEntity[]; page: PageInfo }> {
    const query = this.workspaces
      .createQueryBuilder('workspace')
      .where('workspace.organizationId = :organizationId', { organizationId });
    if (personalOf) {
      query.andWhere('(workspace.isPersonal = false OR workspace.ownerUserId = :personalOf)', {
        personalOf,
      });
    }
    const rows = await keysetPage(
      query,
      ['workspace.createdAt', 'workspace.id'],
      request,
    ).getMany();
    return toPage(rows, request, (row) => ({ at: row.createdAt, id: row.id }));
  }

  find(workspaceId: string): Promise<WorkspaceEntity | null> {
    return this.workspaces.findOneBy({ id: workspaceId });
  }
}
