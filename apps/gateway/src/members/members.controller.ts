import { Body, Controller, Param, Query } from '@nestjs/common';
import {
  MEMBERSHIP_SUBJECTS,
  type MemberView,
  type ServiceReply,
  type MemberRemovedView,
  type OrganizationLeftView,
} from '@orgplane/contracts';
import { ServiceClient, type RequestContext } from '@orgplane/messaging';
import { HttpRequestContext } from '../common/http-request-context';
import { pathId, servicePayload } from '../common/service-payload';
import { Route } from '../routes/route.decorator';

/** Members of an organization; addressed by their user id, as the RunTools SDK does. */
@Controller()
export class MembersController {
  constructor(private readonly services: ServiceClient) {}

  @Route('members.list')
  list(
    @Param('id') id: string,
    @Query() query: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<MemberView[]>> {
    return this.services.request(
      MEMBERSHIP_SUBJECTS.listMembers,
      servicePayload(query, { organizationId: pathId(id, 'Organization') }),
      context,
    );
  }

  /** 409 `last_admin` for the organization's last Admin. */
  @Route('members.changeRole')
  changeRole(
    @Param('id') id: string,
    @Param('userId') userId: string,
    @Body() body: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<MemberView>> {
    return this.services.request(
      MEMBERSHIP_SUBJECTS.changeMemberRole,
      servicePayload(body, {
        organizationId: pathId(id, 'Organization'),
        userId: pathId(userId, 'Member'),
      }),
      context,
    );
  }

  /** 409 `last_admin` for the organization's last Admin. */
  @Route('members.remove')
  remove(
    @Param('id') id: string,
    @Param('userId') userId: string,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<MemberRemovedView>> {
    return this.services.request(
      MEMBERSHIP_SUBJECTS.removeMember,
      { organizationId: pathId(id, 'Organization'), userId: pathId(userId, 'Member') },
      context,
    );
  }

  /** 409 `last_admin` for the organization's last Admin. */
  @Route('members.leave')
  leave(
    @Param('id') id: string,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<OrganizationLeftView>> {
    return this.services.request(
      MEMBERSHIP_SUBJECTS.leaveOrganization,
      { organizationId: pathId(id, 'Organization') },
      context,
    );
  }
}
