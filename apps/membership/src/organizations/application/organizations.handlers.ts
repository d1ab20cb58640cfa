import { Controller, Inject, Logger } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  createOrganizationRequestSchema,
  getOrganizationRequestSchema,
  MEMBERSHIP_SUBJECTS,
  organizationEvents,
  organizationStreamName,
  type CreatedOrganizationView,
  type CreateOrganizationRequest,
  type GetOrganizationRequest,
  type OrganizationView,
  type ServiceReply,
} from '@orgplane/contracts';
import { formatPosition, handleCommand, type EventStore } from '@orgplane/event-store';
import {
  EVENT_STORE,
  ReadModels,
  RequestCtx,
  requireCaller,
  toEventMetadata,
  ValidPayload,
  type RequestContext,
} from '@orgplane/messaging';
import { newId, ServiceError, systemClock } from '@orgplane/util';
import { organizationDecider } from '../domain/organization.decider';
import { OrganizationsQuery } from '../infrastructure/organizations.query';
import { toOrganizationView } from './organization.view';

@Controller()
export class OrganizationsHandlers {
  private readonly logger = new Logger(OrganizationsHandlers.name);

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
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
  ): Promise<ServiceReply<CreatedOrganizationView>> {
    const caller = requireCaller(context);
    const organizationId = newId();
    const { state, position } = await handleCommand({
      store: this.store,
      streamName: organizationStreamName(organizationId),
      decider: organizationDecider,
      command: {
        type: 'CreateOrganization',
        data: { organizationId, name: request.name, createdBy: caller.userId },
        metadata: { now: systemClock.now() },
      },
      codec: organizationEvents,
      metadata: toEventMetadata(context, organizationId),
    });
    if (state.status !== 'active' || !position) {
      throw new Error('CreateOrganization recorded no organization');
    }
    if (!(await this.readModels.reached(position))) {
      this.logger.warn(`Organization ${organizationId} is not in the read models yet`);
    }
    return {
      data: {
        ...toOrganizationView(state, state.members[caller.userId]),
        // The resources service will create both in reaction to OrganizationCreated (a later
        // issue); until then there is nothing to point at.
        defaultProjectId: null,
        personalWorkspaceId: null,
      },
      position: formatPosition(position),
    };
  }

  /** Answers only the organization's members; for anyone else it does not exist (404). */
  @MessagePattern(MEMBERSHIP_SUBJECTS.getOrganization)
  async getOrganization(
    @ValidPayload(getOrganizationRequestSchema) request: GetOrganizationRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<OrganizationView>> {
    const caller = requireCaller(context);
    await this.readModels.catchUpTo(context.minPosition);
    const found = await this.organizations.findAsMember(request.organizationId, caller.userId);
    if (!found) throw ServiceError.notFound('Organization');
    const { organization, role } = found;
    return {
      data: toOrganizationView(
        { ...organization, createdAt: organization.createdAt.toISOString() },
        role,
      ),
    };
  }
}
