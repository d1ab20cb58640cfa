import type { Invitation, Member } from '@orgplane/membership-domain';
import type { OrganizationFold } from './organization-fold';

/**
 * A fold as snapshot text, and back. JSON has no Map, and the organization's members and
 * invitations are Maps: they travel as entry lists. Done by hand rather than with a reviver,
 * which would be called for every value of a fold that runs to megabytes.
 */
export function encodeFold(fold: OrganizationFold): string {
  const { organization } = fold;
  if (organization.status !== 'active') return JSON.stringify(fold);
  return JSON.stringify({
    ...fold,
    organization: {
      ...organization,
      members: [...organization.members],
      invitations: [...organization.invitations],
    },
  });
}

export function decodeFold(text: string): OrganizationFold {
  const fold = JSON.parse(text) as OrganizationFold;
  const { organization } = fold;
  if (organization.status !== 'active') return fold;
  const stored = organization as unknown as {
    members: [string, Member][];
    invitations: [string, Invitation][];
  };
  return {
    ...fold,
    organization: {
      ...organization,
      members: new Map(stored.members),
      invitations: new Map(stored.invitations),
    },
  };
}
