import { secretEvents, type SecretEvent } from '@orgplane/contracts';
import {
  departureProjection,
  type DepartureReaction,
  type RecordedEventOf,
} from '@orgplane/event-sourcing';
import type { Projection } from '@orgplane/projections';

/** The reaction's checkpoint key, and the prefix of its tables. */
const MEMBER_REMOVAL_PROJECTION = 'member_removal';

/**
 * What the vault stops when someone loses access to an organization (departureProjection): the
 * user-private secrets, by owner. Org-shared secrets belong to the organization and outlive any
 * member; its deletion shreds them with its data key (MemberRemovalReaction.departed).
 */
export function memberRemovalProjection(reaction: DepartureReaction<'secret'>): Projection {
  return departureProjection<RecordedEventOf<SecretEvent>, 'secret'>({
    name: MEMBER_REMOVAL_PROJECTION,
    items: {
      SecretCreated(event) {
        const { secretId, organizationId, ownerUserId } = secretEvents.decode(event).data;
        if (ownerUserId === null) return null;
        return { id: secretId, kind: 'secret', organizationId, ownerUserId };
      },
    },
    gone: { SecretDestroyed: (event) => secretEvents.decode(event).data.secretId },
    reaction,
  });
}
