import { Body, Controller, Param, Query } from '@nestjs/common';
import {
  MEMBERSHIP_SUBJECTS,
  type OrganizationView,
  type ServiceReply,
  type OrganizationDeletedView,
} from '@orgplane/contracts';
import { requireCaller, ServiceClient, type RequestContext } from '@orgplane/messaging';
import { HttpRequestContext } from '../common/http-request-context';
import { pathId, servicePayload } from '../common/service-payload';
import { Route } from '../routes/route.decorator';

/**
 * Organizations, as the caller sees them. The AuthorizationGuard has resolved the organization and
 * the caller's role; the membership service validates bodies (400 with field details) and applies
 * its rules.
 */
@Controller()
export class OrganizationsController {
  constructor(private readonly services: ServiceClient) {}

  @Route('organizations.create')
  create(
    @Body() body: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<OrganizationView>> {
    return this.services.request(
      MEMBERSHIP_SUBJECTS.createOrganization,
      servicePayload(body),
      context,
    );
  }

  @Route('organizations.listMine')
  listMine(
    @Query() query: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<OrganizationView[]>> {
    return this.services.request(
      MEMBERSHIP_SUBJECTS.listMyOrganizations,
      servicePayload(query),
      context,
    );
  }

  @Route('organizations.getCurrent')
  getCurrent(
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<OrganizationView>> {
    const { organizationId } = requireCaller(context);
    return this.services.request(MEMBERSHIP_SUBJECTS.getOrganization, { organizationId }, context);
  }

  @Route('organizations.switchCurrent')
  switchCurrent(
    @Body() body: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<OrganizationView>> {
    return this.services.request(
      MEMBERSHIP_SUBJECTS.switchActiveOrganization,
      servicePayload(body),
      context,
    );
  }

  @Route('organizations.get')
  get(
    @Param('id') id: string,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<OrganizationView>> {
    return this.services.request(
      MEMBERSHIP_SUBJECTS.getOrganization,
      { organizationId: pathId(id, 'Organization') },
      context,
    );
  }

  @Route('organizations.update')
  update(
    @Param('id') id: string,
    @Body() body: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<OrganizationView>> {
    return this.services.request(
      MEMBERSHIP_SUBJECTS.updateOrganization,
      servicePayload(body, { organizationId: pathId(id, 'Organization') }),
      context,
    );
  }

  @Route('organizations.delete')
  delete(
    @Param('id') id: string,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<OrganizationDeletedView>> {
    return this.services.request(
      MEMBERSHIP_SUBJECTS.deleteOrganization,
      { organizationId: pathId(id, 'Organization') },
      context,
    );
  }
}
