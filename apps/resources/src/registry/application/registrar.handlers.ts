import { Controller, Inject } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  defaultProjectIdOf,
  registerResourceRequestSchema,
  removeRegisteredResourceRequestSchema,
  resourceEvents,
  RESOURCES_SUBJECTS,
  resourceStreamName,
  updateRegisteredResourceRequestSchema,
  type RegisterResourceRequest,
  type RemoveRegisteredResourceRequest,
  type ResourceEvent,
  type ResourceRemovedView,
  type ResourceView,
  type ServiceReply,
  type UpdateRegisteredResourceRequest,
} from '@orgplane/contracts';
import {
  CommandRunner,
  ReadModels,
  toEventMetadata,
  type CommandOutcome,
} from '@orgplane/event-sourcing';
import {
  authenticateServiceCredential,
  RequestCtx,
  ValidPayload,
  type RequestContext,
} from '@orgplane/messaging';
import { ServiceError, systemClock } from '@orgplane/util';
import { resourceDecider, type Resource, type ResourceCommand } from '@orgplane/resources-domain';
import { RESOURCES_CONFIG, type ResourcesConfig } from '../../resources.config';
import { ResourcesRegistryQuery } from '../infrastructure/resources-registry.query';
import { ResourceReferences } from './resource-references';
import { toResourceView } from './resource.view';

/**
 * The registry for the platform's services (RESOURCES_REGISTRARS), never through the gateway:
 * they record the sandboxes, agents, workflows and tools they create for members, change their
 * settings and remove them. Visibility is the members' business (RegistryHandlers).
 */
@Controller()
export class RegistrarHandlers {
  constructor(
    @Inject(RESOURCES_CONFIG) private readonly config: ResourcesConfig,
    private readonly commands: CommandRunner,
    private readonly readModels: ReadModels,
    private readonly resources: ResourcesRegistryQuery,
    private readonly references: ResourceReferences,
  ) {}

  /**
   * A private resource of the owner (a current member), in the named project of the organization
   * or its default one. The same id again records nothing and answers with what is registered.
   */
  @MessagePattern(RESOURCES_SUBJECTS.registerResource)
  async registerResource(
    @ValidPayload(registerResourceRequestSchema) request: RegisterResourceRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<ResourceView>> {
    const service = this.registrar(context);
    const { organizationId, ownerUserId } = request;
    const projectId = request.projectId ?? defaultProjectIdOf(organizationId);
    const workspaceIds = request.workspaceIds ?? [];
    await this.references.requireProject(organizationId, projectId);
    await this.references.requireMountable(organizationId, workspaceIds);
    await this.references.requireMember(organizationId, ownerUserId, context);
    const { position } = await this.execute(request.resourceId, service, organizationId, context, {
      type: 'RegisterResource',
      data: { ...request, projectId, workspaceIds, service },
      metadata: { now: systemClock.now() },
    });
    return { data: await this.viewOf(request.resourceId, position, context), position };
  }

  /** Only what is given changes; the project and workspaces given are checked as on registering. */
  @MessagePattern(RESOURCES_SUBJECTS.updateRegisteredResource)
  async updateRegisteredResource(
    @ValidPayload(updateRegisteredResourceRequestSchema) request: UpdateRegisteredResourceRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<ResourceView>> {
    const service = this.registrar(context);
    const { resourceId, name, projectId, workspaceIds } = request;
    await this.readModels.catchUpTo(context.minPosition);
    const { organizationId } = await this.registered(resourceId);
    if (projectId) await this.references.requireProject(organizationId, projectId);
    if (workspaceIds) await this.references.requireMountable(organizationId, workspaceIds);
    const { position } = await this.execute(resourceId, service, organizationId, context, {
      type: 'UpdateResource',
      data: { by: { service }, name, projectId, workspaceIds },
      metadata: { now: systemClock.now() },
    });
    return { data: await this.viewOf(resourceId, position, context), position };
  }

  /** Removing it again (a retry) records nothing. */
  @MessagePattern(RESOURCES_SUBJECTS.removeRegisteredResource)
  async removeRegisteredResource(
    @ValidPayload(removeRegisteredResourceRequestSchema) request: RemoveRegisteredResourceRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<ResourceRemovedView>> {
    const service = this.registrar(context);
    const { position } = await this.execute(request.resourceId, service, null, context, {
      type: 'RemoveResource',
      data: { by: { service } },
      metadata: { now: systemClock.now() },
    });
    return { data: { id: request.resourceId, removed: true }, position };
  }

  /** The registering service the credential proves; anything else is 403 `registrar_not_authorized`. */
  private registrar(context: RequestContext): string {
    const registrar = authenticateServiceCredential(
      context.serviceCredential,
      this.config.RESOURCES_REGISTRARS,
    );
    if (!registrar) {
      throw new ServiceError(
        'forbidden',
        'registrar_not_authorized',
        'This service may not register resources',
      );
    }
    return registrar.service;
  }

  private async registered(resourceId: string) {
    const resource = await this.resources.find(resourceId);
    if (!resource) throw ServiceError.notFound('Resource');
    return resource;
  }

  private execute(
    resourceId: string,
    service: string,
    organizationId: string | null,
    context: RequestContext,
    command: ResourceCommand,
  ): Promise<CommandOutcome<Resource, ResourceEvent>> {
    return this.commands.run({
      streamName: resourceStreamName(resourceId),
      decider: resourceDecider,
      command,
      codec: resourceEvents,
      metadata: toEventMetadata(context, organizationId, { type: 'system', id: service }),
    });
  }

  /**
   * What is registered now, from the read model: after an append it holds it (read-your-writes);
   * after a retry that appended nothing, it is waited for as far as the caller has seen. When the
   * read model is still behind the append past the consistency wait, the change is recorded but
   * cannot be shown: a 503 the registrar may retry with the same id (which records nothing), not
   * a 404 for a resource that exists.
   */
  private async viewOf(
    resourceId: string,
    position: string | undefined,
    context: RequestContext,
  ): Promise<ResourceView> {
    if (!position) await this.readModels.catchUpTo(context.minPosition);
    const resource = await this.resources.find(resourceId);
    if (!resource && position) {
      throw new ServiceError(
        'unavailable',
        'consistency_timeout',
        'Recorded, but not visible yet; retry with the same resource id',
      );
    }
    if (!resource) throw ServiceError.notFound('Resource');
    return toResourceView(resource);
  }
}
