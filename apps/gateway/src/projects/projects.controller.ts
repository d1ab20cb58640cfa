import { Body, Controller, Param, Query } from '@nestjs/common';
import {
  RESOURCES_SUBJECTS,
  type ProjectDeletedView,
  type ProjectView,
  type ServiceReply,
} from '@orgplane/contracts';
import { ServiceClient, type RequestContext } from '@orgplane/messaging';
import { HttpRequestContext } from '../common/http-request-context';
import { pathId, servicePayload } from '../common/service-payload';
import { Route } from '../routes/route.decorator';

/**
 * Projects of the organization the request acts in. The catalog lets every member read and Admins
 * write; the resources service keeps the default project and moves what a deleted one grouped.
 */
@Controller()
export class ProjectsController {
  constructor(private readonly services: ServiceClient) {}

  @Route('projects.create')
  create(
    @Body() body: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<ProjectView>> {
    return this.services.request(RESOURCES_SUBJECTS.createProject, servicePayload(body), context);
  }

  @Route('projects.list')
  list(
    @Query() query: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<ProjectView[]>> {
    return this.services.request(RESOURCES_SUBJECTS.listProjects, servicePayload(query), context);
  }

  @Route('projects.get')
  get(
    @Param('id') id: string,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<ProjectView>> {
    return this.services.request(
      RESOURCES_SUBJECTS.getProject,
      { projectId: pathId(id, 'Project') },
      context,
    );
  }

  @Route('projects.update')
  update(
    @Param('id') id: string,
    @Body() body: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<ProjectView>> {
    return this.services.request(
      RESOURCES_SUBJECTS.updateProject,
      servicePayload(body, { projectId: pathId(id, 'Project') }),
      context,
    );
  }

  @Route('projects.delete')
  delete(
    @Param('id') id: string,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<ProjectDeletedView>> {
    return this.services.request(
      RESOURCES_SUBJECTS.deleteProject,
      { projectId: pathId(id, 'Project') },
      context,
    );
  }
}
