import { Body, Controller, Param, Query } from '@nestjs/common';
import {
  RESOURCES_SUBJECTS,
  type ServiceReply,
  type WorkspaceDeletedView,
  type WorkspaceUsageView,
  type WorkspaceView,
} from '@orgplane/contracts';
import { ServiceClient, type RequestContext } from '@orgplane/messaging';
import { HttpRequestContext } from '../common/http-request-context';
import { pathId, servicePayload } from '../common/service-payload';
import { Route } from '../routes/route.decorator';

/**
 * Workspace metadata of the organization the request acts in (reference §7.7). The resources
 * service decides who sees which (a Personal workspace: its owner and Admins) and refuses to delete
 * one in use (409 WORKSPACE_IN_USE) unless `force=true`.
 */
@Controller()
export class WorkspacesController {
  constructor(private readonly services: ServiceClient) {}

  @Route('workspaces.create')
  create(
    @Body() body: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<WorkspaceView>> {
    return this.services.request(RESOURCES_SUBJECTS.createWorkspace, servicePayload(body), context);
  }

  @Route('workspaces.list')
  list(
    @Query() query: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<WorkspaceView[]>> {
    return this.services.request(RESOURCES_SUBJECTS.listWorkspaces, servicePayload(query), context);
  }

  @Route('workspaces.get')
  get(
    @Param('id') id: string,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<WorkspaceView>> {
    return this.services.request(
      RESOURCES_SUBJECTS.getWorkspace,
      { workspaceId: pathId(id, 'Workspace') },
      context,
    );
  }

  @Route('workspaces.usage')
  usage(
    @Param('id') id: string,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<WorkspaceUsageView>> {
    return this.services.request(
      RESOURCES_SUBJECTS.getWorkspaceUsage,
      { workspaceId: pathId(id, 'Workspace') },
      context,
    );
  }

  @Route('workspaces.update')
  update(
    @Param('id') id: string,
    @Body() body: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<WorkspaceView>> {
    return this.services.request(
      RESOURCES_SUBJECTS.updateWorkspace,
      servicePayload(body, { workspaceId: pathId(id, 'Workspace') }),
      context,
    );
  }

  @Route('workspaces.delete')
  delete(
    @Param('id') id: string,
    @Query() query: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<WorkspaceDeletedView>> {
    return this.services.request(
      RESOURCES_SUBJECTS.deleteWorkspace,
      servicePayload(query, { workspaceId: pathId(id, 'Workspace') }),
      context,
    );
  }
}
