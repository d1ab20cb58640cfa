import type { MemberView, OrganizationRole } from '@orgplane/contracts';
import { nameBasedUuid } from '@orgplane/util';

/**
 * The one mapping to the member object of the API. Its id is derived from the organization and
 * the user, so it is stable without being stored, and the same again if they rejoin.
 */
export function toMemberView(
  membership: {
    organizationId: string;
    userId: string;
    role: OrganizationRole;
    joinedAt: string | Date;
  },
  /** null while the identity service has told nothing about the user */
  profile: { email: string; firstName: string | null; lastName: string | null } | null | undefined,
): MemberView {
  const { organizationId, userId } = membership;
  return {
    id: nameBasedUuid('membership', `${organizationId}:${userId}`),
    userId,
    email: profile?.email ?? null,
    firstName: profile?.firstName ?? null,
    lastName: profile?.lastName ?? null,
    role: membership.role,
    status: 'active',
    joinedAt: new Date(membership.joinedAt).toISOString(),
  };
}
