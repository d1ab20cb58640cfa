import type { InvitationView, OrganizationRole } from '@orgplane/contracts';
import { invitationStatus } from '@orgplane/membership-domain';

type Timestamp = string | Date;

/** The one mapping to the invitation object of the API; its status depends on `now`. */
export function toInvitationView(
  invitation: {
    id: string;
    email: string;
    role: OrganizationRole;
    invitedBy: string;
    createdAt: Timestamp;
    expiresAt: Timestamp;
    acceptedAt: Timestamp | null;
    revokedAt: Timestamp | null;
  },
  organization: { id: string; name: string },
  now: Date,
): InvitationView {
  const iso = (at: Timestamp) => new Date(at).toISOString();
  const expiresAt = iso(invitation.expiresAt);
  const acceptedAt = invitation.acceptedAt && iso(invitation.acceptedAt);
  const revokedAt = invitation.revokedAt && iso(invitation.revokedAt);
  return {
    id: invitation.id,
    organizationId: organization.id,
    organizationName: organization.name,
    email: invitation.email,
    role: invitation.role,
    status: invitationStatus({ expiresAt, acceptedAt, revokedAt }, now),
    invitedBy: invitation.invitedBy,
    createdAt: iso(invitation.createdAt),
    expiresAt,
    acceptedAt,
    revokedAt,
  };
}
