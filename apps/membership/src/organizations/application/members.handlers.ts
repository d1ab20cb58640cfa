import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  changeMemberRoleRequestSchema,
  leaveOrganizationRequestSchema,
  listMembersRequestSchema,
  MEMBERSHIP_SUBJECTS,
  removeMemberRequestSchema,
  syncMembershipRequestSchema,
  type ChangeMemberRoleRequest,
  type LeaveOrganizationRequest,
  type ListMembersRequest,
  type MemberView,
  type OrganizationRole,
  type RemoveMemberRequest,
  type ServiceReply,
  type SyncMembershipRequest,
  type MemberRemovedView,
  type OrganizationLeftView,
} from '@orgplane/contracts';
import { RequestCtx, requireCaller, ValidPayload, type RequestContext } from '@orgplane/messaging';
import { ReadModels } from '@orgplane/event-sourcing';
import { ServiceError, systemClock } from '@orgplane/util';
import { existingOrganization, memberOf } from '@orgplane/membership-domain';
import { MemberProfilesQuery } from '../../profiles/infrastructure/member-profiles.query';
import { OrganizationMembersQuery } from '../infrastructure/organization-members.query';
import { OrganizationsQuery } from '../infrastructure/organizations.query';
import { toMemberView } from './member.view';
import { OrganizationCommands } from './organization-commands';

/** The directory (WorkOS, relayed by the identity service) as the actor of its events. */
const DIRECTORY_ACTOR = { type: 'system', id: 'workos' } as const;

@Controller()
export class MembersHandlers {
  constructor(
    private readonly commands: OrganizationCommands,
    private readonly readModels: ReadModels,
    private readonly organizations: OrganizationsQuery,
    private readonly members: OrganizationMembersQuery,
    private readonly profiles: MemberProfilesQuery,
  ) {}

  /** Any member lists the members, in the order they joined, optionally those of one role. */
  @MessagePattern(MEMBERSHIP_SUBJECTS.listMembers)
  async listMembers(
    @ValidPayload(listMembersRequestSchema) request: ListMembersRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<MemberView[]>> {
    const caller = requireCaller(context);
    await this.readModels.catchUpTo(context.minPosition);
    const { organizationId, role } = request;
    if (!(await this.organizations.findAsMember(organizationId, caller.userId))) {
      throw ServiceError.notFound('Organization');
    }
    const { rows, page } = await this.members.page(organizationId, role, request);
    return { data: rows.map((row) => toMemberView(row, row.profile)), page };
  }

  /** Admin; never demotes the last Admin (409 `last_admin`). Replies with the member as now. */
  @MessagePattern(MEMBERSHIP_SUBJECTS.changeMemberRole)
  async changeMemberRole(
    @ValidPayload(changeMemberRoleRequestSchema) request: ChangeMemberRoleRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<MemberView>> {
    const caller = requireCaller(context);
    const { organizationId, userId, role } = request;
    const { state, position } = await this.commands.execute(
      organizationId,
      {
        type: 'ChangeMemberRole',
        data: { actorId: caller.userId, userId, role },
        metadata: { now: systemClock.now() },
      },
      context,
    );
    const member = memberOf(existingOrganization(state), userId);
    const profile = await this.profiles.find(userId);
    return { data: toMemberView({ organizationId, userId, ...member }, profile), position };
  }

  /**
   * Admin removes another member (yourself: 400 `use_leave`); never the last Admin. Replies
   * `{ userId, removed: true }`.
   */
  @MessagePattern(MEMBERSHIP_SUBJECTS.removeMember)
  async removeMember(
    @ValidPayload(removeMemberRequestSchema) request: RemoveMemberRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<MemberRemovedView>> {
    const caller = requireCaller(context);
    const { organizationId, userId } = request;
    const { position } = await this.commands.execute(
      organizationId,
      {
        type: 'RemoveMember',
        data: { actorId: caller.userId, userId },
        metadata: { now: systemClock.now() },
      },
      context,
    );
    return { data: { userId, removed: true }, position };
  }

  /** Any member leaves, except the last Admin. Replies `{ organizationId, left: true }`. */
  @MessagePattern(MEMBERSHIP_SUBJECTS.leaveOrganization)
  async leaveOrganization(
    @ValidPayload(leaveOrganizationRequestSchema) request: LeaveOrganizationRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<OrganizationLeftView>> {
    const caller = requireCaller(context);
    const { organizationId } = request;
    const { position } = await this.commands.execute(
      organizationId,
      {
        type: 'LeaveOrganization',
        data: { userId: caller.userId },
        metadata: { now: systemClock.now() },
      },
      context,
    );
    return { data: { organizationId, left: true }, position };
  }

  /**
   * From the identity service, with no caller: the directory makes the user's role `role`
   * (joining them if needed) or removes them (`null`). Replies the membership as it now is,
   * `{ organizationId, userId, role }` with `role` null when they are not a member.
   */
  @MessagePattern(MEMBERSHIP_SUBJECTS.syncMembership)
  async syncMembership(
    @ValidPayload(syncMembershipRequestSchema) request: SyncMembershipRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<
    ServiceReply<{ organizationId: string; userId: string; role: OrganizationRole | null }>
  > {
    const { organizationId, userId, role } = request;
    const { state, position } = await this.commands.execute(
      organizationId,
      {
        type: 'SyncMembership',
        data: { userId, role },
        metadata: { now: systemClock.now() },
      },
      context,
      DIRECTORY_ACTOR,
    );
    const member = existingOrganization(state).members.get(userId);
    return { data: { organizationId, userId, role: member?.role ?? null }, position };
  }
}
