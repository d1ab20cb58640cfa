import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  createOrganizationRequestSchema,
  deleteOrganizationRequestSchema,
  getOrganizationRequestSchema,
  getPolicyRequestSchema,
  listMyOrganizationsRequestSchema,
  MEMBERSHIP_SUBJECTS,
  updateOrganizationRequestSchema,
  type CreateOrganizationRequest,
  type DeleteOrganizationRequest,
  type GetOrganizationRequest,
  type GetPolicyRequest,
  type ListMyOrganizationsRequest,
  type OrganizationView,
  type PolicyView,
  type ServiceReply,
  type UpdateOrganizationRequest,
  type OrganizationDeletedView,
} from '@orgplane/contracts';
import { RequestCtx, requireCaller, ValidPayload, type RequestContext } from '@orgplane/messaging';
import { ReadModels } from '@orgplane/event-sourcing';
import { newId, ServiceError, systemClock } from '@orgplane/util';
import { existingOrganization } from '@orgplane/membership-domain';
import { OrganizationsQuery } from '../infrastructure/organizations.query';
import { OrganizationCommands } from './organization-commands';
import { toOrganizationView } from './organization.view';

@Controller()
export class OrganizationsHandlers {
  constructor(
    private readonly commands: OrganizationCommands,
    private readonly readModels: ReadModels,
    private readonly organizations: OrganizationsQuery,
  ) {}

  /**
   * Creates the organization with the caller as its Admin. Before answering, waits (bounded) for
   * the read models to hold it, so the caller's next read finds it on any instance. Past the bound
   * the write still stands and the reply says so with its position, which the caller can hand to
   * a read as its consistency position.
   */
  @MessagePattern(MEMBERSHIP_SUBJECTS.createOrganization)
  async createOrganization(
    @ValidPayload(createOrganizationRequestSchema) request: CreateOrganizationRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<OrganizationView>> {
    const caller = requireCaller(context);
    const organizationId = newId();
    const { state, position } = await this.commands.execute(
      organizationId,
      {
        type: 'CreateOrganization',
        data: { organizationId, name: request.name, createdBy: caller.userId },
        metadata: { now: systemClock.now() },
      },
      context,
    );
    return {
      data: toOrganizationView(existingOrganization(state), {
        userId: caller.userId,
        role: 'admin',
      }),
      position,
    };
  }

  /** The caller's organizations, each with the caller's role, in the order they joined them. */
  @MessagePattern(MEMBERSHIP_SUBJECTS.listMyOrganizations)
  async listMyOrganizations(
    @ValidPayload(listMyOrganizationsRequestSchema) request: ListMyOrganizationsRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<OrganizationView[]>> {
    const caller = requireCaller(context);
    await this.readModels.catchUpTo(context.minPosition);
    const { rows, page } = await this.organizations.pageOfMember(caller.userId, request);
    return {
      data: rows.map((row) =>
        toOrganizationView(row.organization, { userId: caller.userId, role: row.role }),
      ),
      page,
    };
  }

  /**
   * Answers only the organization's members; for anyone else it does not exist (404). Also answers
   * "the current organization", whose id the gateway resolved.
   */
  @MessagePattern(MEMBERSHIP_SUBJECTS.getOrganization)
  async getOrganization(
    @ValidPayload(getOrganizationRequestSchema) request: GetOrganizationRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<OrganizationView>> {
    const caller = requireCaller(context);
    await this.readModels.catchUpTo(context.minPosition);
    const found = await this.organizations.findAsMember(request.organizationId, caller.userId);
    if (!found) throw ServiceError.notFound('Organization');
    return {
      data: toOrganizationView(found.organization, { userId: caller.userId, role: found.role }),
    };
  }

  /** Renames and/or changes settings (Admin); replies with the organization as it is now. */
  @MessagePattern(MEMBERSHIP_SUBJECTS.updateOrganization)
  async updateOrganization(
    @ValidPayload(updateOrganizationRequestSchema) request: UpdateOrganizationRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<OrganizationView>> {
    const caller = requireCaller(context);
    const { organizationId, name, settings } = request;
    const { state, position } = await this.commands.execute(
      organizationId,
      {
        type: 'UpdateOrganization',
        data: { actorId: caller.userId, name, settings },
        metadata: { now: systemClock.now() },
      },
      context,
    );
    return {
      data: toOrganizationView(existingOrganization(state), {
        userId: caller.userId,
        role: 'admin',
      }),
      position,
    };
  }

  /**
   * Deletes the organization (Admin): from then on it is not found, by any command or query, and
   * its members lose their access to it. Replies `{ id, deleted: true }`.
   */
  @MessagePattern(MEMBERSHIP_SUBJECTS.deleteOrganization)
  async deleteOrganization(
    @ValidPayload(deleteOrganizationRequestSchema) request: DeleteOrganizationRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<OrganizationDeletedView>> {
    const caller = requireCaller(context);
    const { position } = await this.commands.execute(
      request.organizationId,
      {
        type: 'DeleteOrganization',
        data: { actorId: caller.userId },
        metadata: { now: systemClock.now() },
      },
      context,
    );
    return { data: { id: request.organizationId, deleted: true }, position };
  }

  /** For the platform's services, which need no caller: the organization's settings and policy. */
  @MessagePattern(MEMBERSHIP_SUBJECTS.getPolicy)
  async getPolicy(
    @ValidPayload(getPolicyRequestSchema) request: GetPolicyRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<PolicyView>> {
    await this.readModels.catchUpTo(context.minPosition);
    const organization = await this.organizations.find(request.organizationId);
    if (!organization) throw ServiceError.notFound('Organization');
    return { data: { organizationId: organization.id, settings: organization.settings } };
  }
}
