import type { OrganizationEvent, RevocationCause } from '@orgplane/contracts';

/**
 * Someone's access to an organization ended: a member was removed or left (`userId`), or the
 * organization was deleted (`userId` null: everyone). Their keys there must stop working, and the
 * events that stop them name this cause.
 */
export interface Departure {
  organizationId: string;
  userId: string | null;
  cause: RevocationCause;
}

/** The departure a membership event records, if it records one. */
export function departureOf(event: { id: string } & OrganizationEvent): Departure | null {
  const cause = (reason: RevocationCause['reason']): RevocationCause => ({
    reason,
    eventId: event.id,
    eventType: event.type,
  });
  switch (event.type) {
    case 'MemberRemoved':
    case 'MemberLeft': {
      const { organizationId, userId } = event.data;
      const reason = event.type === 'MemberRemoved' ? 'member_removed' : 'member_left';
      return { organizationId, userId, cause: cause(reason) };
    }
    case 'OrganizationDeleted': {
      const { organizationId } = event.data;
      return { organizationId, userId: null, cause: cause('organization_deleted') };
    }
    default:
      return null;
  }
}
