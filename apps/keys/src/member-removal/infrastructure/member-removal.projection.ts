import { keyEvents, type KeyEvent } from '@orgplane/contracts';
import {
  departureProjection,
  departureTables,
  type DepartureReaction,
  type RecordedEventOf,
} from '@orgplane/event-sourcing';
import type { Projection, ProjectionContext } from '@orgplane/projections';

/** The reaction's checkpoint key, and the prefix of its tables. */
const MEMBER_REMOVAL_PROJECTION = 'member_removal';

export type KeyKind = 'api_key' | 'ssh_key';

/**
 * Stops the keys of whoever loses access to an organization (departureProjection): when a member
 * is removed or leaves, their API keys there are revoked and their SSH keys deleted (an SSH key
 * left behind would still open the organization's sandboxes); when the organization is deleted,
 * everyone's. Stopping a revoked or deleted key again records nothing, so a replay changes
 * nothing.
 */
export function memberRemovalProjection(removals: DepartureReaction<KeyKind>): Projection {
  const projection = departureProjection<RecordedEventOf<KeyEvent>, KeyKind>({
    name: MEMBER_REMOVAL_PROJECTION,
    items: {
      ApiKeyCreated(event) {
        const { keyId, organizationId, ownerUserId } = keyEvents.decode(event).data;
        return { id: keyId, kind: 'api_key', organizationId, ownerUserId };
      },
      SshKeyAdded(event) {
        const { sshKeyId, organizationId, ownerUserId } = keyEvents.decode(event).data;
        return { id: sshKeyId, kind: 'ssh_key', organizationId, ownerUserId };
      },
    },
    gone: {
      ApiKeyRevoked: (event) => keyEvents.decode(event).data.keyId,
      SshKeyDeleted: (event) => keyEvents.decode(event).data.sshKeyId,
    },
    reaction: removals,
  });
  return {
    ...projection,
    async setup(context) {
      await adoptKeyOwnersTable(context);
      await projection.setup(context);
    },
  };
}

/**
 * Before the departure projection was shared (issue 5), the keys' index was
 * `member_removal_key_owners`, keyed by `key_id`. Such a table is renamed to the shared shape, so
 * that the reaction goes on from its checkpoint: rebuilding it instead would replay every past
 * departure against today's streams, and an SSH key added again after its owner rejoined (same
 * name-based id) would be deleted.
 */
async function adoptKeyOwnersTable({ manager, table }: ProjectionContext): Promise<void> {
  const legacy = table('member_removal_key_owners');
  const [{ found }] = (await manager.query(`SELECT to_regclass($1) IS NOT NULL AS found`, [
    legacy,
  ])) as { found: boolean }[];
  if (!found) return;
  const { items } = departureTables(MEMBER_REMOVAL_PROJECTION);
  await manager.query(`ALTER TABLE ${legacy} RENAME TO ${items}`);
  await manager.query(`ALTER TABLE ${table(items)} RENAME COLUMN key_id TO item_id`);
  await manager.query(
    `ALTER INDEX ${table('member_removal_key_owners_by_owner')} RENAME TO ${items}_by_owner`,
  );
}
