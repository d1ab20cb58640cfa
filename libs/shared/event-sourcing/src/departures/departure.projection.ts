import {
  departureOf,
  organizationEvents,
  type Departure,
  type DepartureCause,
  type OrganizationEvent,
} from '@orgplane/contracts';
import type { RecordedEvent } from '@orgplane/event-store';
import {
  defineProjection,
  type Projection,
  type ProjectionContext,
  type Reducer,
  type Reducers,
} from '@orgplane/projections';
import type { RecordedEventOf } from '../event-metadata';

/** Something a member holds in an organization, which must stop when they lose access there. */
export interface OwnedItem<Kind extends string = string> {
  id: string;
  /** which sort of item, for a reaction that stops several sorts (API keys and SSH keys) */
  kind: Kind;
  organizationId: string;
  ownerUserId: string;
}

/** What a service does when someone loses access to an organization. */
export interface DepartureReaction<Kind extends string = string> {
  /**
   * Stops one item the departure covers: at the departure, or at the item's creation when that
   * lands after it. A replay calls it again for the same item and departure, so stopping an item
   * already stopped must change nothing. `trigger`: the event being folded, whose trace ids the
   * events it appends carry on.
   */
  stop(item: OwnedItem<Kind>, departure: Departure, trigger: RecordedEvent): Promise<void>;
  /**
   * Once per departure, after its items were stopped: what goes with the departure as a whole
   * (an organization's data key). Replayed like `stop`, so it must be idempotent too.
   */
  departed?(departure: Departure, trigger: RecordedEvent): Promise<void>;
}

/** One function per event type, the event reaching each narrowed to its type. */
export type EventMappers<Event extends RecordedEvent, Result> = {
  [Type in Event['type']]?: (event: Extract<Event, { type: Type }>) => Result;
};

export interface DepartureProjectionDefinition<Event extends RecordedEvent, Kind extends string> {
  /** the checkpoint key, and the prefix of the projection's tables (departureTables) */
  name: string;
  /** the events that give a member an item: the item, or null when no member holds it alone */
  items: EventMappers<Event, OwnedItem<Kind> | null>;
  /** the events after which an item needs no stopping any more (revoked, destroyed): its id */
  gone: EventMappers<Event, string>;
  reaction: DepartureReaction<Kind>;
}

/** The tables of the departure projection `name`, in the service's read-model schema. */
export function departureTables(name: string) {
  return {
    /** every item not yet gone, by organization and owner */
    items: `${name}_owned_items`,
    /** members who left or were removed, until they join again */
    departedMembers: `${name}_departed_members`,
    deletedOrganizations: `${name}_deleted_organizations`,
  };
}

interface DepartureRow {
  user_id: string | null;
  reason: DepartureCause['reason'];
  event_id: string;
  event_type: string;
}

type DepartureEvent = Extract<
  RecordedEventOf<OrganizationEvent>,
  { type: 'MemberRemoved' | 'MemberLeft' | 'OrganizationDeleted' }
>;

/**
 * Stops what members hold in an organization once they lose access to it: when a member is
 * removed or leaves, the items they own there; when the organization is deleted, everyone's. The
 * service says which events create and end its items, and how to stop one (`reaction`).
 *
 * It keeps its own index of items by owner, folded from `$all` in the same order as the
 * membership events, rather than reading the service's read models, whose runners may be behind
 * or ahead of this one. It also remembers departures, for an item whose creation the gateway
 * authorized just before its owner left but which lands after the departure in `$all`: such an
 * item is stopped at once.
 *
 * The reaction appends outside the runner's transaction, so a crash can replay an event whose
 * consequences already happened: the reaction must then change nothing (DepartureReaction). Run
 * it with departureRunner, one event per transaction (see `departed`).
 */
export function departureProjection<Event extends RecordedEvent, Kind extends string>(
  definition: DepartureProjectionDefinition<Event, Kind>,
): Projection {
  const { name, reaction } = definition;
  const tables = departureTables(name);
  const membershipReducers: Reducers<RecordedEventOf<OrganizationEvent>> = {
    async MemberJoined(event, { manager, table }) {
      const { organizationId, userId } = organizationEvents.decode(event).data;
      await manager.query(
        `DELETE FROM ${table(tables.departedMembers)} WHERE organization_id = $1 AND user_id = $2`,
        [organizationId, userId],
      );
    },
    MemberRemoved: departed,
    MemberLeft: departed,
    OrganizationDeleted: departed,
  };
  const reducers = {
    ...reducersOf(definition.items, async (item: OwnedItem<Kind> | null, event, context) => {
      if (item) await issued(item, event, context);
    }),
    ...reducersOf(definition.gone, (itemId: string, _event, context) => gone(itemId, context)),
    ...(membershipReducers as Record<string, Reducer>),
  };

  /**
   * A new item is indexed, and stopped at once if its owner has already left or the organization
   * is gone: by the departure that covers it, whose `userId` is null for the organization's.
   */
  async function issued(
    item: OwnedItem<Kind>,
    event: RecordedEvent,
    { manager, table }: ProjectionContext,
  ): Promise<void> {
    const { organizationId, ownerUserId } = item;
    const [row] = (await manager.query(
      `SELECT user_id, reason, event_id, event_type FROM ${table(tables.departedMembers)}
        WHERE organization_id = $1 AND user_id = $2
       UNION ALL
       SELECT NULL, 'organization_deleted', event_id, event_type
         FROM ${table(tables.deletedOrganizations)}
        WHERE organization_id = $1
       LIMIT 1`,
      [organizationId, ownerUserId],
    )) as DepartureRow[];
    if (row) {
      const cause = { reason: row.reason, eventId: row.event_id, eventType: row.event_type };
      await reaction.stop(item, { organizationId, userId: row.user_id, cause }, event);
    }
    await manager.query(
      `INSERT INTO ${table(tables.items)} (item_id, kind, organization_id, owner_user_id)
       VALUES ($1, $2, $3, $4)`,
      [item.id, item.kind, organizationId, ownerUserId],
    );
  }

  async function gone(itemId: string, { manager, table }: ProjectionContext): Promise<void> {
    await manager.query(`DELETE FROM ${table(tables.items)} WHERE item_id = $1`, [itemId]);
  }

  /**
   * Stops every item the departure covers, then remembers the departure. The reaction comes
   * first: with one event per transaction, the runner's transaction has then written nothing, so
   * it holds back no reader of the event store while the reaction appends (ADR 0003).
   */
  async function departed(event: DepartureEvent, context: ProjectionContext): Promise<void> {
    const { manager, table } = context;
    const departure = departureOf({ id: event.id, ...organizationEvents.decode(event) });
    if (!departure) return;
    const { organizationId, userId, cause } = departure;
    const items = (await manager.query(
      `SELECT item_id AS id, kind, organization_id AS "organizationId",
              owner_user_id AS "ownerUserId"
         FROM ${table(tables.items)}
        WHERE organization_id = $1 AND ($2::uuid IS NULL OR owner_user_id = $2)
        ORDER BY item_id`,
      [organizationId, userId],
    )) as OwnedItem<Kind>[];
    for (const item of items) await reaction.stop(item, departure, event);
    await reaction.departed?.(departure, event);
    if (userId === null) {
      await manager.query(
        `INSERT INTO ${table(tables.deletedOrganizations)} (organization_id, event_id, event_type)
         VALUES ($1, $2, $3)`,
        [organizationId, cause.eventId, cause.eventType],
      );
      return;
    }
    await manager.query(
      `INSERT INTO ${table(tables.departedMembers)}
         (organization_id, user_id, reason, event_id, event_type) VALUES ($1, $2, $3, $4, $5)`,
      [organizationId, userId, cause.reason, cause.eventId, cause.eventType],
    );
  }

  return defineProjection({
    name,
    tables: Object.values(tables),
    async setup({ manager, table }) {
      await manager.query(`CREATE TABLE IF NOT EXISTS ${table(tables.items)} (
        item_id uuid PRIMARY KEY,
        kind text NOT NULL,
        organization_id uuid NOT NULL,
        owner_user_id uuid NOT NULL
      )`);
      await manager.query(
        `CREATE INDEX IF NOT EXISTS ${tables.items}_by_owner
           ON ${table(tables.items)} (organization_id, owner_user_id)`,
      );
      await manager.query(`CREATE TABLE IF NOT EXISTS ${table(tables.departedMembers)} (
        organization_id uuid NOT NULL,
        user_id uuid NOT NULL,
        reason text NOT NULL,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        PRIMARY KEY (organization_id, user_id)
      )`);
      await manager.query(`CREATE TABLE IF NOT EXISTS ${table(tables.deletedOrganizations)} (
        organization_id uuid PRIMARY KEY,
        event_id uuid NOT NULL,
        event_type text NOT NULL
      )`);
    },
    async reset({ manager, table }) {
      for (const name of Object.values(tables)) await manager.query(`DELETE FROM ${table(name)}`);
    },
    reducers,
  });
}

/** A reducer for each event a mapper names, folding what the mapper makes of the event. */
function reducersOf<Result>(
  mappers: object,
  fold: (result: Result, event: RecordedEvent, context: ProjectionContext) => Promise<void>,
): Record<string, Reducer> {
  const entries = Object.entries(mappers as Record<string, (event: RecordedEvent) => Result>);
  return Object.fromEntries(
    entries.map(([type, map]) => [type, (event, context) => fold(map(event), event, context)]),
  );
}
