import { Body, Controller, Get, Param, Post, UseGuards } from '@nestjs/common';
import {
  MEMBERSHIP_SUBJECTS,
  type CreatedOrganizationView,
  type OrganizationView,
  type ServiceReply,
} from '@orgplane/contracts';
import { ServiceClient, type RequestContext } from '@orgplane/messaging';
import { isUuid, ServiceError } from '@orgplane/util';
import { SessionGuard } from '../auth/session.guard';
import { HttpRequestContext } from '../common/http-request-context';

/** Bodies go to the membership service as they are: it validates them (400 with field details). */
@Controller('v1/organizations')
@UseGuards(SessionGuard)
export class OrganizationsController {
  constructor(private readonly services: ServiceClient) {}

  /** 201; the caller becomes the organization's Admin. */
  @Post()
  create(
    @Body() body: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<CreatedOrganizationView>> {
    return this.services.request(MEMBERSHIP_SUBJECTS.createOrganization, body, context);
  }

  /** 404 for an organization the caller is not a member of, as for one that does not exist. */
  @Get(':id')
  get(
    @Param('id') id: string,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<OrganizationView>> {
    // A malformed id names no organization; answering 404 here spares the round trip.
    if (!isUuid(id)) throw ServiceError.notFound('Organization');
    return this.services.request(
      MEMBERSHIP_SUBJECTS.getOrganization,
      { organizationId: id },
      context,
    );
  }
}
