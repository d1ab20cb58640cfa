import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  listResourcesRequestSchema,
  publishResourceRequestSchema,
  resourceEvents,
  resourceRefSchema,
  RESOURCES_SUBJECTS,
  resourceStreamName,
  updateResourceRequestSchema,
  type ListResourcesRequest,
  type PublicResourceView,
  type PublishResourceRequest,
  type ResourceEvent,
  type ResourceRef,
  type ResourceRemovedView,
  type ResourceView,
  type Scope,
  type ServiceReply,
  type UpdateResourceRequest,
} from '@orgplane/contracts';
import {
  CommandRunner,
  ReadModels,
  toEventMetadata,
  type CommandOutcome,
} from '@orgplane/event-sourcing';
import {
  MembershipClient,
  RequestCtx,
  requireOrganizationCaller,
  ValidPayload,
  type RequestContext,
} from '@orgplane/messaging';
import { ServiceError, systemClock } from '@orgplane/util';
import {
  requireListAccess,
  requireResourceAccess,
  type Resource,
  type ResourceActor,
  type ResourceCommand,
  resourceDecider,
} from '@orgplane/resources-domain';
import { ResourcesRegistryQuery } from '../infrastructure/resources-registry.query';
import { ResourceReferences } from './resource-references';
import { toPublicResourceView, toResourceView } from './resource.view';

/** An API key's scopes; a signed-in user has none, and only their role limits them. */
function scopesOf(context: RequestContext): readonly Scope[] | undefined {
  return context.caller?.type === 'apiKey' ? context.caller.scopes : undefined;
}

/**
 * The registry through the HTTP API (the gateway's `/v1/sandboxes`, `/v1/agents`, ...): the
 * lists, a resource, its settings, its removal and its visibility. Every answer follows
 * decideResourceAccess; platform services register resources over NATS (RegistrarHandlers).
 */
@Controller()
export class RegistryHandlers {
  constructor(
    private readonly commands: CommandRunner,
    private readonly readModels: ReadModels,
    private readonly resources: ResourcesRegistryQuery,
    private readonly references: ResourceReferences,
    private readonly membership: MembershipClient,
  ) {}

  /**
   * The caller's own, the org-visible and the public resources of a kind in the organization, or
   * every member's with `all=true` (Admins only); of one project or one visibility when asked;
   * oldest first.
   */
  @MessagePattern(RESOURCES_SUBJECTS.listResources)
  async listResources(
    @ValidPayload(listResourcesRequestSchema) request: ListResourcesRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<ResourceView[]>> {
    const actor = requireOrganizationCaller(context);
    requireListAccess(request.kind, { ...actor, scopes: scopesOf(context), all: request.all });
    await this.readModels.catchUpTo(context.minPosition);
    const { rows, page } = await this.resources.page(
      {
        organizationId: actor.organizationId,
        kind: request.kind,
        privateOf: request.all ? null : actor.userId,
        projectId: request.projectId,
        visibility: request.visibility,
      },
      request,
    );
    return { data: rows.map(toResourceView), page };
  }

  @MessagePattern(RESOURCES_SUBJECTS.getResource)
  async getResource(
    @ValidPayload(resourceRefSchema) request: ResourceRef,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<ResourceView | PublicResourceView>> {
    const actor = requireOrganizationCaller(context);
    await this.readModels.catchUpTo(context.minPosition);
    const resource = requireResourceAccess({
      actor,
      scopes: scopesOf(context),
      kind: request.kind,
      resource: await this.resources.find(request.resourceId),
      action: 'read',
    });
    const outsider = resource.organizationId !== actor.organizationId;
    return { data: outsider ? toPublicResourceView(resource) : toResourceView(resource) };
  }

  /** Its owner or an Admin renames it or moves it to another project of the organization. */
  @MessagePattern(RESOURCES_SUBJECTS.updateResource)
  async updateResource(
    @ValidPayload(updateResourceRequestSchema) request: UpdateResourceRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<ResourceView>> {
    const actor = requireOrganizationCaller(context);
    if (request.projectId) {
      await this.references.requireProject(actor.organizationId, request.projectId);
    }
    const by = { actor, scopes: scopesOf(context), kind: request.kind };
    const { position } = await this.execute(request.resourceId, actor, context, {
      type: 'UpdateResource',
      data: { by, name: request.name, projectId: request.projectId },
      metadata: { now: systemClock.now() },
    });
    return { data: await this.viewOf(request.resourceId), position };
  }

  /** Its owner or an Admin removes it from the registry. */
  @MessagePattern(RESOURCES_SUBJECTS.deleteResource)
  async deleteResource(
    @ValidPayload(resourceRefSchema) request: ResourceRef,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<ResourceRemovedView>> {
    const actor = requireOrganizationCaller(context);
    const by = { actor, scopes: scopesOf(context), kind: request.kind };
    const { position } = await this.execute(request.resourceId, actor, context, {
      type: 'RemoveResource',
      data: { by },
      metadata: { now: systemClock.now() },
    });
    return { data: { id: request.resourceId, removed: true }, position };
  }

  /**
   * Changes who sees it: `org` or `public` by an Admin (`public` when the organization allows
   * public resources), back to `private` by its owner or an Admin. Its visibility already: 200,
   * nothing recorded.
   */
  @MessagePattern(RESOURCES_SUBJECTS.publishResource)
  async publishResource(
    @ValidPayload(publishResourceRequestSchema) request: PublishResourceRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<ResourceView>> {
    const actor = requireOrganizationCaller(context);
    const { visibility, kind } = request;
    const allowPublicResources =
      visibility === 'public'
        ? (await this.membership.settingsOf(actor.organizationId, context)).allowPublicResources
        : undefined;
    const { position } = await this.execute(request.resourceId, actor, context, {
      type: 'PublishResource',
      data: { actor, scopes: scopesOf(context), kind, visibility, allowPublicResources },
      metadata: { now: systemClock.now() },
    });
    return { data: await this.viewOf(request.resourceId), position };
  }

  private execute(
    resourceId: string,
    actor: ResourceActor,
    context: RequestContext,
    command: ResourceCommand,
  ): Promise<CommandOutcome<Resource, ResourceEvent>> {
    return this.commands.run({
      streamName: resourceStreamName(resourceId),
      decider: resourceDecider,
      command,
      codec: resourceEvents,
      metadata: toEventMetadata(context, actor.organizationId),
    });
  }

  /**
   * After a command the read model holds its outcome (read-your-writes, CommandRunner): its row
   * is what the API shows, with the project a project's deletion moved it to.
   */
  private async viewOf(resourceId: string): Promise<ResourceView> {
    const resource = await this.resources.find(resourceId);
    if (!resource) throw ServiceError.notFound('Resource');
    return toResourceView(resource);
  }
}
