import { Body, Controller, Param, Query } from '@nestjs/common';
import {
  MEMBERSHIP_SUBJECTS,
  type InvitationView,
  type ServiceReply,
  type InvitationAcceptedView,
} from '@orgplane/contracts';
import { ServiceClient, type RequestContext } from '@orgplane/messaging';
import { HttpRequestContext } from '../common/http-request-context';
import { pathId, servicePayload } from '../common/service-payload';
import { Route } from '../routes/route.decorator';

/**
 * Invitations: Admins invite, revoke and resend within their organization; the invitee, signed in
 * with the matching verified email, lists and accepts theirs.
 */
@Controller()
export class InvitationsController {
  constructor(private readonly services: ServiceClient) {}

  @Route('invitations.create')
  create(
    @Param('id') id: string,
    @Body() body: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<InvitationView>> {
    return this.services.request(
      MEMBERSHIP_SUBJECTS.createInvitation,
      servicePayload(body, { organizationId: pathId(id, 'Organization') }),
      context,
    );
  }

  @Route('invitations.list')
  list(
    @Param('id') id: string,
    @Query() query: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<InvitationView[]>> {
    return this.services.request(
      MEMBERSHIP_SUBJECTS.listInvitations,
      servicePayload(query, { organizationId: pathId(id, 'Organization') }),
      context,
    );
  }

  @Route('invitations.revoke')
  revoke(
    @Param('id') id: string,
    @Param('invitationId') invitationId: string,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<InvitationView>> {
    return this.services.request(
      MEMBERSHIP_SUBJECTS.revokeInvitation,
      {
        organizationId: pathId(id, 'Organization'),
        invitationId: pathId(invitationId, 'Invitation'),
      },
      context,
    );
  }

  @Route('invitations.resend')
  resend(
    @Param('id') id: string,
    @Param('invitationId') invitationId: string,
    @Body() body: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<InvitationView>> {
    return this.services.request(
      MEMBERSHIP_SUBJECTS.resendInvitation,
      servicePayload(body, {
        organizationId: pathId(id, 'Organization'),
        invitationId: pathId(invitationId, 'Invitation'),
      }),
      context,
    );
  }

  @Route('me.listInvitations')
  listMine(
    @Query() query: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<InvitationView[]>> {
    return this.services.request(
      MEMBERSHIP_SUBJECTS.listMyInvitations,
      servicePayload(query),
      context,
    );
  }

  @Route('invitations.accept')
  accept(
    @Param('invitationId') invitationId: string,
    @Body() body: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<InvitationAcceptedView>> {
    return this.services.request(
      MEMBERSHIP_SUBJECTS.acceptInvitation,
      servicePayload(body, { invitationId: pathId(invitationId, 'Invitation') }),
      context,
    );
  }
}
