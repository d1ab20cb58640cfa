import {
  organizationEvents,
  resourceEvents,
  type OrganizationEvent,
  type ResourceEvent,
} from '@orgplane/contracts';
import {
  departureProjection,
  departureTables,
  type DepartureReaction,
  type RecordedEventOf,
} from '@orgplane/event-sourcing';
import {
  combinedProjection,
  defineProjection,
  qualifiedTable,
  type Projection,
} from '@orgplane/projections';
import type { EntityManager } from 'typeorm';

/** The reaction's checkpoint key, and the prefix of its tables. */
const MEMBER_REMOVAL_PROJECTION = 'member_removal';
const { items: OWNED_ITEMS } = departureTables(MEMBER_REMOVAL_PROJECTION);
/** every registered resource's organization, owner and visibility, which later events omit */
const RESOURCES_TABLE = `${MEMBER_REMOVAL_PROJECTION}_resources`;
/** the organizations' current members, their roles and since when: where an heir is found */
const MEMBERS_TABLE = `${MEMBER_REMOVAL_PROJECTION}_members`;

type HoldingsEvent = RecordedEventOf<ResourceEvent> | RecordedEventOf<OrganizationEvent>;

/**
 * Keeps the departure projection's index (`member_removal_owned_items`) to the private resources
 * as they are now: a resource enters it when made private and leaves it when published, and an
 * owner change moves it. Also folds the members and their roles, for the heir of a departure no
 * Admin caused (membershipHeir).
 */
const holdingsProjection = defineProjection<HoldingsEvent>({
  name: `${MEMBER_REMOVAL_PROJECTION}_holdings`,
  tables: [RESOURCES_TABLE, MEMBERS_TABLE],
  async setup({ manager, table }) {
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(RESOURCES_TABLE)} (
      resource_id uuid PRIMARY KEY,
      organization_id uuid NOT NULL,
      owner_user_id uuid NOT NULL,
      visibility text NOT NULL
    )`);
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(MEMBERS_TABLE)} (
      organization_id uuid NOT NULL,
      user_id uuid NOT NULL,
      role text NOT NULL,
      joined_at timestamptz NOT NULL,
      PRIMARY KEY (organization_id, user_id)
    )`);
  },
  async reset({ manager, table }) {
    for (const name of [RESOURCES_TABLE, MEMBERS_TABLE]) {
      await manager.query(`DELETE FROM ${table(name)}`);
    }
  },
  reducers: {
    async ResourceRegistered(event, { manager, table }) {
      const { data } = resourceEvents.decode(event);
      await manager.query(
        `INSERT INTO ${table(RESOURCES_TABLE)} (resource_id, organization_id, owner_user_id, visibility)
         VALUES ($1, $2, $3, $4)`,
        [data.resourceId, data.organizationId, data.ownerUserId, data.visibility],
      );
    },
    async ResourceVisibilityChanged(event, { manager, table }) {
      const { resourceId, visibility, previousVisibility } = resourceEvents.decode(event).data;
      await manager.query(
        `UPDATE ${table(RESOURCES_TABLE)} SET visibility = $2 WHERE resource_id = $1`,
        [resourceId, visibility],
      );
      if (previousVisibility === 'private') {
        await manager.query(`DELETE FROM ${table(OWNED_ITEMS)} WHERE item_id = $1`, [resourceId]);
      } else if (visibility === 'private') {
        await manager.query(
          `INSERT INTO ${table(OWNED_ITEMS)} (item_id, kind, organization_id, owner_user_id)
           SELECT resource_id, 'resource', organization_id, owner_user_id
             FROM ${table(RESOURCES_TABLE)} WHERE resource_id = $1`,
          [resourceId],
        );
      }
    },
    async ResourceOwnerChanged(event, { manager, table }) {
      const { resourceId, ownerUserId } = resourceEvents.decode(event).data;
      for (const name of [RESOURCES_TABLE, OWNED_ITEMS]) {
        const id = name === RESOURCES_TABLE ? 'resource_id' : 'item_id';
        await manager.query(`UPDATE ${table(name)} SET owner_user_id = $2 WHERE ${id} = $1`, [
          resourceId,
          ownerUserId,
        ]);
      }
    },
    async ResourceRemoved(event, { manager, table }) {
      const { resourceId } = resourceEvents.decode(event).data;
      await manager.query(`DELETE FROM ${table(RESOURCES_TABLE)} WHERE resource_id = $1`, [
        resourceId,
      ]);
    },
    async MemberJoined(event, { manager, table }) {
      const { organizationId, userId, role, joinedAt } = organizationEvents.decode(event).data;
      await manager.query(
        `INSERT INTO ${table(MEMBERS_TABLE)} (organization_id, user_id, role, joined_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (organization_id, user_id) DO UPDATE SET role = $3, joined_at = $4`,
        [organizationId, userId, role, joinedAt],
      );
    },
    async MemberRoleChanged(event, { manager, table }) {
      const { organizationId, userId, role } = organizationEvents.decode(event).data;
      await manager.query(
        `UPDATE ${table(MEMBERS_TABLE)} SET role = $3 WHERE organization_id = $1 AND user_id = $2`,
        [organizationId, userId, role],
      );
    },
    MemberRemoved: (event, context) => memberGone(organizationEvents.decode(event).data, context),
    MemberLeft: (event, context) => memberGone(organizationEvents.decode(event).data, context),
    async OrganizationDeleted(event, { manager, table }) {
      const { organizationId } = organizationEvents.decode(event).data;
      for (const name of [RESOURCES_TABLE, MEMBERS_TABLE]) {
        await manager.query(`DELETE FROM ${table(name)} WHERE organization_id = $1`, [
          organizationId,
        ]);
      }
    },
  },
});

async function memberGone(
  { organizationId, userId }: { organizationId: string; userId: string },
  { manager, table }: { manager: EntityManager; table: (name: string) => string },
): Promise<void> {
  await manager.query(
    `DELETE FROM ${table(MEMBERS_TABLE)} WHERE organization_id = $1 AND user_id = $2`,
    [organizationId, userId],
  );
}

/**
 * What the registry hands over when someone loses access to an organization (departureProjection):
 * a removed or departed member's private resources, to an Admin (MemberRemovalReaction). Their
 * org-visible and public resources stay theirs, which every member sees and Admins manage; an
 * organization's deletion drops its resources from the read models, and hands nothing.
 *
 * The departure part comes first in each event's transaction: its reaction reads the members as
 * they were before the event (membershipHeir), and appends before the runner writes anything.
 */
export function memberRemovalProjection(reaction: DepartureReaction<'resource'>): Projection {
  const departures = departureProjection<RecordedEventOf<ResourceEvent>, 'resource'>({
    name: MEMBER_REMOVAL_PROJECTION,
    items: {
      ResourceRegistered(event) {
        const { resourceId, organizationId, ownerUserId, visibility } =
          resourceEvents.decode(event).data;
        if (visibility !== 'private') return null;
        return { id: resourceId, kind: 'resource', organizationId, ownerUserId };
      },
    },
    gone: { ResourceRemoved: (event) => resourceEvents.decode(event).data.resourceId },
    reaction,
  });
  return combinedProjection(MEMBER_REMOVAL_PROJECTION, [departures, holdingsProjection]);
}

/**
 * The heir of a departure no Admin caused (a member who left, one the directory removed): the
 * organization's longest-standing current Admin, by when they joined, other than the one who
 * departed. Null when there is none. Read outside the runner's transaction, which has written
 * nothing yet for the departure being folded, so the members are as they were just before it.
 */
export async function membershipHeir(
  manager: EntityManager,
  schema: string,
  organizationId: string,
  departedUserId: string,
): Promise<string | null> {
  const [heir] = (await manager.query(
    `SELECT user_id FROM ${qualifiedTable(schema, MEMBERS_TABLE)}
      WHERE organization_id = $1 AND role = 'admin' AND user_id <> $2
      ORDER BY joined_at, user_id LIMIT 1`,
    [organizationId, departedUserId],
  )) as { user_id: string }[];
  return heir?.user_id ?? null;
}
