import { z } from 'zod';
import type { OrganizationEvent } from './organization.events';

/**
 * Why something stopped without its owner asking (a key revoked, a secret destroyed): the
 * membership event that ended someone's access, by id and type, so the audit trail can point at it.
 */
export const departureCauseSchema = z.strictObject({
  reason: z.enum(['member_removed', 'member_left', 'organization_deleted']),
  /** the membership event (id and type) this consequence reacts to */
  eventId: z.uuid(),
  eventType: z.string().min(1),
});
export type DepartureCause = z.infer<typeof departureCauseSchema>;

/**
 * Someone's access to an organization ended: a member was removed or left (`userId`), or the
 * organization was deleted (`userId` null: everyone). What they held there must stop, and the
 * events that stop it name this cause.
 */
export interface Departure {
  organizationId: string;
  userId: string | null;
  cause: DepartureCause;
}

/** The departure a membership event records, if it records one. */
export function departureOf(event: { id: string } & OrganizationEvent): Departure | null {
  const cause = (reason: DepartureCause['reason']): DepartureCause => ({
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
