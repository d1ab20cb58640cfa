import {
  departureOf,
  keyEvents,
  organizationEvents,
  type Departure,
  type KeyEvent,
  type OrganizationEvent,
  type RevocationCause,
} from '@orgplane/contracts';
import type { RecordedEvent } from '@orgplane/event-store';
import type { RecordedEventOf } from '@orgplane/event-sourcing';
import { defineProjection, type Projection, type ProjectionContext } from '@orgplane/projections';

/** The reaction's checkpoint key. */
const MEMBER_REMOVAL_PROJECTION = 'member_removal';
/** Every unrevoked API key and registered SSH key, by organization and owner. */
const KEY_OWNERS_TABLE = 'member_removal_key_owners';
/** Members who left or were removed, until they join again. */
const DEPARTED_MEMBERS_TABLE = 'member_removal_departed_members';
const DELETED_ORGANIZATIONS_TABLE = 'member_removal_deleted_organizations';

export type KeyKind = 'api_key' | 'ssh_key';

export interface OwnedKeyRef {
  id: string;
  kind: KeyKind;
}

/** How the reaction stops a key: revoking an API key, deleting an SSH key. */
export interface KeyRemovals {
  /** `trigger`: the event being folded, whose trace ids the removal carries on */
  remove(key: OwnedKeyRef, departure: Departure, trigger: RecordedEvent): Promise<void>;
}

type Folded = RecordedEventOf<OrganizationEvent | KeyEvent>;

/**
 * Stops the keys of whoever loses access to an organization: when a member is removed or leaves,
 * their API keys there are revoked and their SSH keys deleted (an SSH key left behind would still
 * open the organization's sandboxes); when the organization is deleted, everyone's.
 *
 * It keeps its own index of keys by owner, folded from `$all` in the same order as the membership
 * events, rather than reading the `keys` read model, whose runner may be behind or ahead of this
 * one. It also remembers departures, for a key whose creation the gateway authorized just before
 * its owner left but which lands after the departure in `$all`: such a key is stopped at once.
 *
 * The removals are appended to the key streams outside the runner's transaction, so a crash can
 * replay an event whose removals already happened: deciding again on a revoked or deleted key
 * records nothing, so a replay changes nothing.
 */
export function memberRemovalProjection(removals: KeyRemovals): Projection {
  return defineProjection<Folded>({
    name: MEMBER_REMOVAL_PROJECTION,
    tables: [KEY_OWNERS_TABLE, DEPARTED_MEMBERS_TABLE, DELETED_ORGANIZATIONS_TABLE],
    async setup({ manager, table }) {
      await manager.query(`CREATE TABLE IF NOT EXISTS ${table(KEY_OWNERS_TABLE)} (
        key_id uuid PRIMARY KEY,
        kind text NOT NULL,
        organization_id uuid NOT NULL,
        owner_user_id uuid NOT NULL
      )`);
      await manager.query(
        `CREATE INDEX IF NOT EXISTS member_removal_key_owners_by_owner ON ${table(KEY_OWNERS_TABLE)} (organization_id, owner_user_id)`,
      );
      await manager.query(`CREATE TABLE IF NOT EXISTS ${table(DEPARTED_MEMBERS_TABLE)} (
        organization_id uuid NOT NULL,
        user_id uuid NOT NULL,
        reason text NOT NULL,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        PRIMARY KEY (organization_id, user_id)
      )`);
      await manager.query(`CREATE TABLE IF NOT EXISTS ${table(DELETED_ORGANIZATIONS_TABLE)} (
        organization_id uuid PRIMARY KEY,
        event_id uuid NOT NULL,
        event_type text NOT NULL
      )`);
    },
    async reset({ manager, table }) {
      for (const name of [KEY_OWNERS_TABLE, DEPARTED_MEMBERS_TABLE, DELETED_ORGANIZATIONS_TABLE]) {
        await manager.query(`DELETE FROM ${table(name)}`);
      }
    },
    reducers: {
      async ApiKeyCreated(event, context) {
        const { keyId, organizationId, ownerUserId } = keyEvents.decode(event).data;
        const key = { id: keyId, kind: 'api_key' as const };
        await keyIssued(removals, context, event, key, organizationId, ownerUserId);
      },
      async SshKeyAdded(event, context) {
        const { sshKeyId, organizationId, ownerUserId } = keyEvents.decode(event).data;
        const key = { id: sshKeyId, kind: 'ssh_key' as const };
        await keyIssued(removals, context, event, key, organizationId, ownerUserId);
      },
      ApiKeyRevoked: (event, context) => keyGone(context, keyEvents.decode(event).data.keyId),
      SshKeyDeleted: (event, context) => keyGone(context, keyEvents.decode(event).data.sshKeyId),
      async MemberJoined(event, { manager, table }) {
        const { organizationId, userId } = organizationEvents.decode(event).data;
        await manager.query(
          `DELETE FROM ${table(DEPARTED_MEMBERS_TABLE)} WHERE organization_id = $1 AND user_id = $2`,
          [organizationId, userId],
        );
      },
      MemberRemoved: (event, context) => departed(removals, context, event),
      MemberLeft: (event, context) => departed(removals, context, event),
      OrganizationDeleted: (event, context) => departed(removals, context, event),
    },
  });
}

/** A new key is indexed, and stopped at once if its owner has already left. */
async function keyIssued(
  removals: KeyRemovals,
  context: ProjectionContext,
  event: RecordedEvent,
  key: OwnedKeyRef,
  organizationId: string,
  ownerUserId: string,
): Promise<void> {
  const { manager, table } = context;
  const [row] = (await manager.query(
    `SELECT reason, event_id, event_type FROM ${table(DEPARTED_MEMBERS_TABLE)}
      WHERE organization_id = $1 AND user_id = $2
     UNION ALL
     SELECT 'organization_deleted', event_id, event_type FROM ${table(DELETED_ORGANIZATIONS_TABLE)}
      WHERE organization_id = $1
     LIMIT 1`,
    [organizationId, ownerUserId],
  )) as { reason: RevocationCause['reason']; event_id: string; event_type: string }[];
  if (row) {
    const cause = { reason: row.reason, eventId: row.event_id, eventType: row.event_type };
    await removals.remove(key, { organizationId, userId: ownerUserId, cause }, event);
  }
  await manager.query(
    `INSERT INTO ${table(KEY_OWNERS_TABLE)} (key_id, kind, organization_id, owner_user_id)
     VALUES ($1, $2, $3, $4)`,
    [key.id, key.kind, organizationId, ownerUserId],
  );
}

async function keyGone({ manager, table }: ProjectionContext, keyId: string): Promise<void> {
  await manager.query(`DELETE FROM ${table(KEY_OWNERS_TABLE)} WHERE key_id = $1`, [keyId]);
}

/**
 * Stops every key the departure covers, then remembers the departure. The removals come first:
 * with one event per transaction, the runner's transaction has then written nothing, so it holds
 * back no reader of the event store while they are appended (ADR 0003).
 */
async function departed(
  removals: KeyRemovals,
  context: ProjectionContext,
  event: Extract<Folded, { type: 'MemberRemoved' | 'MemberLeft' | 'OrganizationDeleted' }>,
): Promise<void> {
  const { manager, table } = context;
  const departure = departureOf({ id: event.id, ...organizationEvents.decode(event) });
  if (!departure) return;
  const { organizationId, userId, cause } = departure;
  const keys = (await manager.query(
    `SELECT key_id AS id, kind FROM ${table(KEY_OWNERS_TABLE)}
      WHERE organization_id = $1 AND ($2::uuid IS NULL OR owner_user_id = $2)
      ORDER BY key_id`,
    [organizationId, userId],
  )) as OwnedKeyRef[];
  for (const key of keys) await removals.remove(key, departure, event);
  if (userId === null) {
    await manager.query(
      `INSERT INTO ${table(DELETED_ORGANIZATIONS_TABLE)} (organization_id, event_id, event_type)
       VALUES ($1, $2, $3)`,
      [organizationId, cause.eventId, cause.eventType],
    );
    return;
  }
  await manager.query(
    `INSERT INTO ${table(DEPARTED_MEMBERS_TABLE)}
       (organization_id, user_id, reason, event_id, event_type) VALUES ($1, $2, $3, $4, $5)`,
    [organizationId, userId, cause.reason, cause.eventId, cause.eventType],
  );
}
