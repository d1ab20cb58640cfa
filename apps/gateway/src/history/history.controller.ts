import { Controller, Query } from '@nestjs/common';
import {
  AUDIT_SUBJECTS,
  type OrganizationHistoryDiff,
  type OrganizationHistoryState,
  type ServiceReply,
} from '@orgplane/contracts';
import { ServiceClient, type RequestContext } from '@orgplane/messaging';
import { HttpRequestContext } from '../common/http-request-context';
import { servicePayload } from '../common/service-payload';
import { Route } from '../routes/route.decorator';

/**
 * The organization as of a moment, and what changed between two, folded by the audit service.
 * The catalog admits Admins and their `activity:read` keys; the audit service validates the
 * moments (an ISO time or a position) against the contract and checks the role again. A big
 * organization's state is megabytes: the audit service answers in chunks.
 */
@Controller()
export class HistoryController {
  constructor(private readonly services: ServiceClient) {}

  @Route('history.state')
  state(
    @Query() query: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<OrganizationHistoryState>> {
    return this.services.requestInChunks(
      AUDIT_SUBJECTS.replayOrganization,
      servicePayload(query),
      context,
    );
  }

  @Route('history.diff')
  diff(
    @Query() query: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<OrganizationHistoryDiff>> {
    return this.services.requestInChunks(
      AUDIT_SUBJECTS.diffOrganization,
      servicePayload(query),
      context,
    );
  }
}
