import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  getAccessRequestSchema,
  MEMBERSHIP_SUBJECTS,
  memberPreferenceEvents,
  memberPreferencesStreamName,
  switchActiveOrganizationRequestSchema,
  type AccessView,
  type GetAccessRequest,
  type OrganizationView,
  type ServiceReply,
  type SwitchActiveOrganizationRequest,
} from '@orgplane/contracts';
import { RequestCtx, requireCaller, ValidPayload, type RequestContext } from '@orgplane/messaging';
import { ReadModels, toEventMetadata, CommandRunner } from '@orgplane/event-sourcing';
import { ServiceError, systemClock } from '@orgplane/util';
import { memberPreferencesDecider } from '@orgplane/membership-domain';
import { AccessChanges } from '../../common/access-changes';
import { toOrganizationView } from '../../organizations/application/organization.view';
import { OrganizationMembersQuery } from '../../organizations/infrastructure/organization-members.query';
import { OrganizationsQuery } from '../../organizations/infrastructure/organizations.query';
import { ActiveOrganizationsQuery } from '../infrastructure/active-organizations.query';

/** Whom a user may act for, and in which organization by default. */
@Controller()
export class AccessHandlers {
  constructor(
    private readonly commands: CommandRunner,
    private readonly readModels: ReadModels,
    private readonly organizations: OrganizationsQuery,
    private readonly members: OrganizationMembersQuery,
    private readonly activeOrganizations: ActiveOrganizationsQuery,
    private readonly accessChanges: AccessChanges,
  ) {}

  /**
   * Makes one of the caller's organizations the one their requests act in when they name none
   * (404 for any other). Replies with that organization.
   */
  @MessagePattern(MEMBERSHIP_SUBJECTS.switchActiveOrganization)
  async switchActiveOrganization(
    @ValidPayload(switchActiveOrganizationRequestSchema) request: SwitchActiveOrganizationRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<OrganizationView>> {
    const caller = requireCaller(context);
    await this.readModels.catchUpTo(context.minPosition);
    const { organizationId } = request;
    // A preference, not a grant: if the membership ends right after this check, access answers
    // fall back to another organization (see getAccess).
    const found = await this.organizations.findAsMember(organizationId, caller.userId);
    if (!found) throw ServiceError.notFound('Organization');
    const { position } = await this.commands.run({
      streamName: memberPreferencesStreamName(caller.userId),
      decider: memberPreferencesDecider,
      command: {
        type: 'SwitchActiveOrganization',
        data: { userId: caller.userId, organizationId },
        metadata: { now: systemClock.now() },
      },
      codec: memberPreferenceEvents,
      metadata: toEventMetadata(context, organizationId),
      afterVisible: ({ position }) => this.accessChanges.announce([caller.userId], position),
    });
    return {
      data: toOrganizationView(found.organization, { userId: caller.userId, role: found.role }),
      position,
    };
  }

  /**
   * For the gateway, which caches the answer per user until told the access changed. The active
   * organization is the one switched to while the user still belongs there, else the one joined
   * last, else null.
   */
  @MessagePattern(MEMBERSHIP_SUBJECTS.getAccess)
  async getAccess(
    @ValidPayload(getAccessRequestSchema) request: GetAccessRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<AccessView>> {
    await this.readModels.catchUpTo(context.minPosition);
    const { userId } = request;
    const [memberships, chosen] = await Promise.all([
      this.members.membershipsOf(userId),
      this.activeOrganizations.chosenBy(userId),
    ]);
    const stillMember = memberships.some((membership) => membership.organizationId === chosen);
    return {
      data: {
        userId,
        activeOrganizationId: stillMember ? chosen : (memberships.at(-1)?.organizationId ?? null),
        memberships: memberships.map(({ organizationId, role }) => ({ organizationId, role })),
      },
    };
  }
}
