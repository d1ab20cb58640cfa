import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { PageInfo, PageRequest } from '@orgplane/contracts';
import { keysetPage, toPage } from '@orgplane/event-sourcing';
import type { Repository } from 'typeorm';
import { ProjectEntity } from './project.entity';

@Injectable()
export class ProjectsQuery {
  constructor(
    @InjectRepository(ProjectEntity) private readonly projects: Repository<ProjectEntity>,
  ) {}

  /** Oldest first: the default project, created with the organization, leads. */
  async page(
    organizationId: string,
    request: PageRequest,
  ): Promise<{ rows: ProjectEntity[]; page: PageInfo }> {
    const query = this.projects
      .createQueryBuilder('project')
      .where('project.organizationId = :organizationId', { organizationId });
    const rows = await keysetPage(query, ['project.createdAt', 'project.id'], request).getMany();
    return toPage(rows, request, (row) => ({ at: row.createdAt, id: row.id }));
  }

  /** A project of the organization; null for an unknown one, or another organization's. */
  find(organizationId: string, projectId: string): Promise<ProjectEntity | null> {
    return this.projects.findOneBy({ id: projectId, organizationId });
  }
}
