import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  createWorkspaceRequestSchema,
  deleteWorkspaceRequestSchema,
  listWorkspacesRequestSchema,
  personalWorkspaceIdOf,
  RESOURCES_SUBJECTS,
  resourceEvents,
  updateWorkspaceRequestSchema,
  workspaceRefSchema,
  workspaceStreamName,
  type CreateWorkspaceRequest,
  type DeleteWorkspaceRequest,
  type ListWorkspacesRequest,
  type ResourceEvent,
  type ServiceReply,
  type UpdateWorkspaceRequest,
  type WorkspaceDeletedView,
  type WorkspaceRef,
  type WorkspaceUsageView,
  type WorkspaceView,
} from '@orgplane/contracts';
import {
  CommandRunner,
  ReadModels,
  toEventMetadata,
  type CommandOutcome,
} from '@orgplane/event-sourcing';
import {
  RequestCtx,
  ValidPayload,
  requireOrganizationCaller,
  type RequestContext,
} from '@orgplane/messaging';
import { ServiceError, systemClock } from '@orgplane/util';
import {
  type ActiveWorkspace,
  newWorkspaceSlug,
  type OrganizationActor,
  requireAdmin,
  requireVisibleWorkspace,
  type Workspace,
  type WorkspaceCommand,
  workspaceDecider,
  workspaceIdOf,
} from '@orgplane/resources-domain';
import { HeadCatchUp } from '../../common/reactions';
import { decideResourceAccess, WorkspaceReferencesQuery } from '../../registry';
import type { WorkspaceEntity } from '../infrastructure/workspace.entity';
import { WorkspacesQuery } from '../infrastructure/workspaces.query';
import { activeWorkspaceView, toWorkspaceView } from './workspace.view';

/**
 * Workspace metadata (reference §7.7): organization workspaces, which any member sees and the
 * registry's resources mount, and each member's Personal one. File contents live elsewhere.
 */
@Controller()
export class WorkspacesHandlers {
  constructor(
    private readonly commands: CommandRunner,
    private readonly readModels: ReadModels,
    private readonly headCatchUp: HeadCatchUp,
    private readonly workspaces: WorkspacesQuery,
    private readonly references: WorkspaceReferencesQuery,
  ) {}

  /**
   * An organization workspace (any member), its slug given or made from the name, unique in the
   * organization (409 `slug_taken`); the quota defaults to DEFAULT_WORKSPACE_QUOTA_BYTES. The
   * reference's `orgId` may name the organization the request acts in, and no other: 403
   * `organization_mismatch`, as the gateway answers a key's `X-Org-Id` naming another.
   */
  @MessagePattern(RESOURCES_SUBJECTS.createWorkspace)
  async createWorkspace(
    @ValidPayload(createWorkspaceRequestSchema) request: CreateWorkspaceRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<WorkspaceView>> {
    const actor = requireOrganizationCaller(context);
    if (request.orgId !== undefined && request.orgId.toLowerCase() !== actor.organizationId) {
      throw new ServiceError(
        'forbidden',
        'organization_mismatch',
        'orgId names another organization than the one the request acts in',
      );
    }
    const slug = newWorkspaceSlug(request.name, request.slug);
    const workspaceId = workspaceIdOf(actor.organizationId, slug);
    const { state, position } = await this.execute(
      workspaceId,
      {
        type: 'CreateWorkspace',
        data: { workspaceId, actor, name: request.name, slug, quotaBytes: request.quotaBytes },
        metadata: { now: systemClock.now() },
      },
      context,
      actor,
    );
    return { data: activeWorkspaceView(written(state)), position };
  }

  /**
   * The organization workspaces and the caller's Personal one, oldest first; `all=true` (Admins)
   * adds every member's Personal workspace.
   */
  @MessagePattern(RESOURCES_SUBJECTS.listWorkspaces)
  async listWorkspaces(
    @ValidPayload(listWorkspacesRequestSchema) request: ListWorkspacesRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<WorkspaceView[]>> {
    const actor = requireOrganizationCaller(context);
    if (request.all) requireAdmin(actor, 'list every member’s Personal workspace');
    await this.readModels.catchUpTo(context.minPosition);
    // The caller's Personal workspace exists from their joining on, as far as clients know.
    await this.headCatchUp.find(() =>
      this.workspaces.find(personalWorkspaceIdOf(actor.organizationId, actor.userId)),
    );
    const { rows, page } = await this.workspaces.page(
      { organizationId: actor.organizationId, personalOf: request.all ? null : actor.userId },
      request,
    );
    return { data: rows.map(toWorkspaceView), page };
  }

  /** An organization workspace (any member), a Personal one (its owner or an Admin); else 404. */
  @MessagePattern(RESOURCES_SUBJECTS.getWorkspace)
  async getWorkspace(
    @ValidPayload(workspaceRefSchema) request: WorkspaceRef,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<WorkspaceView>> {
    const actor = requireOrganizationCaller(context);
    return { data: toWorkspaceView(await this.visible(request.workspaceId, actor, context)) };
  }

  /**
   * The registered resources that mount or attach the workspace: those the caller may see, and
   * how many others there are.
   */
  @MessagePattern(RESOURCES_SUBJECTS.getWorkspaceUsage)
  async getWorkspaceUsage(
    @ValidPayload(workspaceRefSchema) request: WorkspaceRef,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<WorkspaceUsageView>> {
    const actor = requireOrganizationCaller(context);
    const workspace = await this.visible(request.workspaceId, actor, context);
    const referencing = await this.references.referencing(actor.organizationId, workspace.id);
    const visible = referencing.filter(
      (resource) =>
        decideResourceAccess({ actor, kind: resource.kind, resource, action: 'read' }).allowed,
    );
    return {
      data: {
        workspaceId: workspace.id,
        inUse: referencing.length > 0,
        resources: visible.map(({ kind, id, name }) => ({ kind, id, name })),
        hiddenCount: referencing.length - visible.length,
      },
    };
  }

  /** Renames and/or resizes: its creator (a Personal one's owner) or an Admin. */
  @MessagePattern(RESOURCES_SUBJECTS.updateWorkspace)
  async updateWorkspace(
    @ValidPayload(updateWorkspaceRequestSchema) request: UpdateWorkspaceRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<WorkspaceView>> {
    const actor = requireOrganizationCaller(context);
    const { workspaceId, name, quotaBytes } = request;
    const { state, position } = await this.execute(
      workspaceId,
      {
        type: 'UpdateWorkspace',
        data: { actor, name, quotaBytes },
        metadata: { now: systemClock.now() },
      },
      context,
      actor,
    );
    return { data: activeWorkspaceView(written(state)), position };
  }

  /**
   * Its creator or an Admin. In use by registered resources: 409 `WORKSPACE_IN_USE`, unless
   * `force=true`, which detaches it from them. A Personal workspace: 409 `personal_workspace`.
   */
  @MessagePattern(RESOURCES_SUBJECTS.deleteWorkspace)
  async deleteWorkspace(
    @ValidPayload(deleteWorkspaceRequestSchema) request: DeleteWorkspaceRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<WorkspaceDeletedView>> {
    const actor = requireOrganizationCaller(context);
    const { workspaceId } = request;
    // A resource the caller registered or changed just before must count.
    await this.readModels.catchUpTo(context.minPosition);
    const referencing = await this.references.referencing(actor.organizationId, workspaceId);
    const { events, position } = await this.execute(
      workspaceId,
      {
        type: 'DeleteWorkspace',
        data: {
          actor,
          force: request.force ?? false,
          referencedBy: referencing.map((resource) => resource.id),
        },
        metadata: { now: systemClock.now() },
      },
      context,
      actor,
    );
    const [deleted] = events.filter((event) => event.type === 'WorkspaceDeleted');
    return {
      data: { id: workspaceId, deleted: true, detachedFrom: deleted.data.detachedFrom },
      position,
    };
  }

  /**
   * The workspace if the caller may see it. One not found may be a Personal workspace whose
   * creation is under way (its id was answered before it existed): catch up first.
   */
  private async visible(
    workspaceId: string,
    actor: OrganizationActor,
    context: RequestContext,
  ): Promise<WorkspaceEntity> {
    await this.readModels.catchUpTo(context.minPosition);
    const workspace = await this.headCatchUp.find(() => this.workspaces.find(workspaceId));
    return requireVisibleWorkspace(workspace, actor);
  }

  private execute(
    workspaceId: string,
    command: WorkspaceCommand,
    context: RequestContext,
    actor: OrganizationActor,
  ): Promise<CommandOutcome<Workspace, ResourceEvent>> {
    return this.commands.run({
      streamName: workspaceStreamName(workspaceId),
      decider: workspaceDecider,
      command,
      codec: resourceEvents,
      metadata: toEventMetadata(context, actor.organizationId),
    });
  }
}

/** The workspace a create or an update leaves: there, or the decider would have refused. */
function written(state: Workspace): ActiveWorkspace {
  if (state.status !== 'active') throw new Error('The workspace is not there after writing it');
  return state;
}
