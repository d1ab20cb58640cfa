import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  acceptInvitationRequestSchema,
  createInvitationRequestSchema,
  listInvitationsRequestSchema,
  listMyInvitationsRequestSchema,
  MEMBERSHIP_SUBJECTS,
  resendInvitationRequestSchema,
  revokeInvitationRequestSchema,
  type AcceptInvitationRequest,
  type CreateInvitationRequest,
  type InvitationView,
  type ListInvitationsRequest,
  type ListMyInvitationsRequest,
  type ResendInvitationRequest,
  type RevokeInvitationRequest,
  type ServiceReply,
  type InvitationAcceptedView,
} from '@orgplane/contracts';
import { RequestCtx, requireCaller, ValidPayload, type RequestContext } from '@orgplane/messaging';
import { ReadModels } from '@orgplane/event-sourcing';
import { newId, ServiceError, systemClock } from '@orgplane/util';
import {
  adminRequired,
  existingOrganization,
  memberOf,
  normalizeEmail,
  type Organization,
} from '@orgplane/membership-domain';
import { MemberProfilesQuery } from '../../profiles/infrastructure/member-profiles.query';
import {
  InvitationsQuery,
  type InvitationWithOrganization,
} from '../infrastructure/invitations.query';
import { OrganizationsQuery } from '../infrastructure/organizations.query';
import { toInvitationView } from './invitation.view';
import { toMemberView } from './member.view';
import { OrganizationCommands } from './organization-commands';
import { toOrganizationView } from './organization.view';

@Controller()
export class InvitationsHandlers {
  constructor(
    private readonly commands: OrganizationCommands,
    private readonly readModels: ReadModels,
    private readonly organizations: OrganizationsQuery,
    private readonly invitations: InvitationsQuery,
    private readonly profiles: MemberProfilesQuery,
  ) {}

  /**
   * Admin invites an email (lowercased) with a role, for `expiresInDays` (7 by default, at most
   * 30). 409 `already_member` when someone with that email belongs already, 409
   * `invitation_pending` when the email has a pending invitation. Replies with the invitation.
   */
  @MessagePattern(MEMBERSHIP_SUBJECTS.createInvitation)
  async createInvitation(
    @ValidPayload(createInvitationRequestSchema) request: CreateInvitationRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<InvitationView>> {
    const caller = requireCaller(context);
    await this.readModels.catchUpTo(context.minPosition);
    const { organizationId, role, expiresInDays } = request;
    const email = normalizeEmail(request.email);
    const invitationId = newId();
    const now = systemClock.now();
    const { state, position } = await this.commands.execute(
      organizationId,
      {
        type: 'CreateInvitation',
        data: {
          actorId: caller.userId,
          invitationId,
          email,
          role,
          expiresInDays,
          usersWithEmail: await this.profiles.userIdsWithEmail(email),
        },
        metadata: { now },
      },
      context,
    );
    return { data: invitationOf(state, invitationId, now), position };
  }

  /** Admin; oldest first, optionally those of one status (expiry as of now). */
  @MessagePattern(MEMBERSHIP_SUBJECTS.listInvitations)
  async listInvitations(
    @ValidPayload(listInvitationsRequestSchema) request: ListInvitationsRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<InvitationView[]>> {
    const caller = requireCaller(context);
    await this.readModels.catchUpTo(context.minPosition);
    const { organizationId, status } = request;
    const found = await this.organizations.findAsMember(organizationId, caller.userId);
    if (!found) throw ServiceError.notFound('Organization');
    if (found.role !== 'admin') throw adminRequired();
    const now = systemClock.now();
    const { rows, page } = await this.invitations.pageOfOrganization(
      organizationId,
      status,
      request,
      now,
    );
    return { data: rows.map((row) => rowToView(row, now)), page };
  }

  /** Admin revokes a pending invitation (else 409 `invitation_not_pending`); replies with it. */
  @MessagePattern(MEMBERSHIP_SUBJECTS.revokeInvitation)
  async revokeInvitation(
    @ValidPayload(revokeInvitationRequestSchema) request: RevokeInvitationRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<InvitationView>> {
    const caller = requireCaller(context);
    const { organizationId, invitationId } = request;
    const now = systemClock.now();
    const { state, position } = await this.commands.execute(
      organizationId,
      {
        type: 'RevokeInvitation',
        data: { actorId: caller.userId, invitationId },
        metadata: { now },
      },
      context,
    );
    return { data: invitationOf(state, invitationId, now), position };
  }

  /**
   * Admin sends a pending or expired invitation again with a fresh lifetime (accepted or revoked:
   * 409 `invitation_not_pending`); replies with it.
   */
  @MessagePattern(MEMBERSHIP_SUBJECTS.resendInvitation)
  async resendInvitation(
    @ValidPayload(resendInvitationRequestSchema) request: ResendInvitationRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<InvitationView>> {
    const caller = requireCaller(context);
    const { organizationId, invitationId, expiresInDays } = request;
    const now = systemClock.now();
    const { state, position } = await this.commands.execute(
      organizationId,
      {
        type: 'ResendInvitation',
        data: { actorId: caller.userId, invitationId, expiresInDays },
        metadata: { now },
      },
      context,
    );
    return { data: invitationOf(state, invitationId, now), position };
  }

  /**
   * The pending invitations addressed to the caller's email, oldest first; none while the
   * identity provider has not verified that email.
   */
  @MessagePattern(MEMBERSHIP_SUBJECTS.listMyInvitations)
  async listMyInvitations(
    @ValidPayload(listMyInvitationsRequestSchema) request: ListMyInvitationsRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<InvitationView[]>> {
    const caller = requireCaller(context);
    await this.readModels.catchUpTo(context.minPosition);
    const profile = await this.profiles.find(caller.userId);
    if (!profile?.emailVerified) return { data: [], page: { hasMore: false, nextCursor: null } };
    const now = systemClock.now();
    const { rows, page } = await this.invitations.pageOfPendingFor(profile.email, request, now);
    return { data: rows.map((row) => rowToView(row, now)), page };
  }

  /**
   * The caller joins with the invitation's role, if their verified email is the invitation's
   * (403 `email_not_verified`, `email_mismatch`) and it is still pending (409
   * `invitation_expired`, `invitation_not_pending`). Replies `{ organization, member }`: the
   * organization as the new member sees it, and their membership.
   */
  @MessagePattern(MEMBERSHIP_SUBJECTS.acceptInvitation)
  async acceptInvitation(
    @ValidPayload(acceptInvitationRequestSchema) request: AcceptInvitationRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<InvitationAcceptedView>> {
    const caller = requireCaller(context);
    await this.readModels.catchUpTo(context.minPosition);
    const { invitationId } = request;
    // The invitee knows only the invitation; the read model knows whose stream holds it.
    const organizationId = await this.invitations.organizationIdOf(invitationId);
    if (!organizationId) throw ServiceError.notFound('Invitation');
    const profile = await this.profiles.find(caller.userId);
    const { state, position } = await this.commands.execute(
      organizationId,
      {
        type: 'AcceptInvitation',
        data: {
          invitationId,
          userId: caller.userId,
          email: profile?.email ?? null,
          emailVerified: profile?.emailVerified ?? false,
        },
        metadata: { now: systemClock.now() },
      },
      context,
    );
    const organization = existingOrganization(state);
    const member = memberOf(organization, caller.userId);
    return {
      data: {
        organization: toOrganizationView(organization, {
          userId: caller.userId,
          role: member.role,
        }),
        member: toMemberView({ organizationId, userId: caller.userId, ...member }, profile),
      },
      position,
    };
  }
}

/** The invitation as the command left it. */
function invitationOf(state: Organization, invitationId: string, now: Date): InvitationView {
  const organization = existingOrganization(state);
  const invitation = organization.invitations.get(invitationId);
  if (!invitation) throw ServiceError.notFound('Invitation');
  return toInvitationView(invitation, organization, now);
}

function rowToView(row: InvitationWithOrganization, now: Date): InvitationView {
  return toInvitationView(row, row.organization, now);
}
