import { Injectable } from '@nestjs/common';
import {
  MEMBERSHIP_SUBJECTS,
  type AccessView,
  type OrganizationSettings,
  type PolicyView,
} from '@orgplane/contracts';
import type { RequestContext } from './request-context';
import { ServiceClient } from './service-client';

/**
 * What a service asks the membership service, which owns organizations and their policy. Asked on
 * each use rather than kept in a read model of the asking service: these answers decide who sees
 * or publishes what, and membership's own read models are the freshest there are (the request's
 * consistency position goes with the question).
 */
@Injectable()
export class MembershipClient {
  constructor(private readonly services: ServiceClient) {}

  async settingsOf(organizationId: string, context: RequestContext): Promise<OrganizationSettings> {
    const reply = await this.services.request<PolicyView>(
      MEMBERSHIP_SUBJECTS.getPolicy,
      { organizationId },
      context,
    );
    return reply.data.settings;
  }

  async isMember(
    userId: string,
    organizationId: string,
    context: RequestContext,
  ): Promise<boolean> {
    const reply = await this.services.request<AccessView>(
      MEMBERSHIP_SUBJECTS.getAccess,
      { userId },
      context,
    );
    return reply.data.memberships.some(
      (membership) => membership.organizationId === organizationId,
    );
  }
}
