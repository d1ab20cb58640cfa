import {
  organizationEvents,
  organizationStreamName,
  type Departure,
  type OrganizationEvent,
} from '@orgplane/contracts';
import { PostgresEventStore, type EventMetadata, type RecordedEvent } from '@orgplane/event-store';
import type { ProjectionRunner } from '@orgplane/projections';
import { dropSchema, eventually, testDatabaseUrl, uniqueSchemaName } from '@orgplane/testing';
import { newId } from '@orgplane/util';
import { DataSource } from 'typeorm';
import { departureProjection, type OwnedItem } from './departure.projection';
import { departureRunner } from './departure.reaction';

const url = testDatabaseUrl();
const storeSchema = uniqueSchemaName('departures_store');
const schema = uniqueSchemaName('departures_read');

type ThingEvent = RecordedEvent<'ThingMade'> | RecordedEvent<'ThingDropped'>;

/** What the reaction was asked to do, in order. */
type Call =
  | { stopped: string; of: string | null; reason: string; causeId: string; triggerId: string }
  | { departed: string | null; causeId: string };

let dataSource: DataSource;
let store: PostgresEventStore;
let runner: ProjectionRunner;
const calls: Call[] = [];
/** items whose first stop fails, as a crash between two stops would leave them */
const failOnce = new Set<string>();

beforeAll(async () => {
  dataSource = await new DataSource({ type: 'postgres', url, poolSize: 3 }).initialize();
  store = await PostgresEventStore.create({ connectionString: url, schema: storeSchema });
  // The things of this spec: `ThingMade` gives one to its owner (none: the organization's own).
  const projection = departureProjection<ThingEvent, 'thing'>({
    name: 'spec_departures',
    items: {
      ThingMade({ data }) {
        const { thingId, organizationId, ownerUserId } = data as Record<string, string | null>;
        if (!ownerUserId) return null;
        return { id: thingId!, kind: 'thing', organizationId: organizationId!, ownerUserId };
      },
    },
    gone: { ThingDropped: ({ data }) => data.thingId as string },
    reaction: {
      async stop(item: OwnedItem, { userId, cause }: Departure, trigger: RecordedEvent) {
        calls.push({
          stopped: item.id,
          of: userId,
          reason: cause.reason,
          causeId: cause.eventId,
          triggerId: trigger.id,
        });
        if (failOnce.delete(item.id)) throw new Error(`${item.id} failed once`);
      },
      async departed({ userId, cause }: Departure) {
        calls.push({ departed: userId, causeId: cause.eventId });
      },
    },
  });
  runner = departureRunner(store, dataSource, projection, {
    schema,
    lockRetryIntervalMs: 50,
    retryDelayMs: 50,
    logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
  });
  runner.start();
});

afterAll(async () => {
  await runner?.stop();
  await store?.close();
  await dataSource?.destroy();
  await dropSchema(url, schema);
  await dropSchema(url, storeSchema);
});

function metadata(): EventMetadata {
  const id = newId();
  return {
    orgId: null,
    actor: { type: 'system', id: 'departures-spec' },
    requestId: id,
    correlationId: id,
    causationId: id,
  };
}

async function thing(organizationId: string, ownerUserId: string | null): Promise<string> {
  const thingId = newId();
  await store.append(`thing-${thingId}`, [
    {
      type: 'ThingMade',
      schemaVersion: 1,
      data: { thingId, organizationId, ownerUserId },
      metadata: metadata(),
    },
  ]);
  return thingId;
}

async function dropped(thingId: string): Promise<void> {
  await store.append(`thing-${thingId}`, [
    { type: 'ThingDropped', schemaVersion: 1, data: { thingId }, metadata: metadata() },
  ]);
}

/** A membership event; its id. */
async function membership(organizationId: string, event: OrganizationEvent): Promise<string> {
  const id = newId();
  const { type, schemaVersion, data } = organizationEvents.encode(event);
  await store.append(organizationStreamName(organizationId), [
    { id, type, schemaVersion, data: data as never, metadata: metadata() },
  ]);
  return id;
}

const at = () => new Date().toISOString();
const role = 'member' as const;
const removed = (organizationId: string, userId: string) =>
  membership(organizationId, {
    type: 'MemberRemoved',
    data: { organizationId, userId, role, removedBy: newId(), removedAt: at() },
  });
const left = (organizationId: string, userId: string) =>
  membership(organizationId, {
    type: 'MemberLeft',
    data: { organizationId, userId, role, leftAt: at() },
  });
const joined = (organizationId: string, userId: string) =>
  membership(organizationId, {
    type: 'MemberJoined',
    data: { organizationId, userId, role, joinedAt: at() },
  });
const deleted = (organizationId: string) =>
  membership(organizationId, {
    type: 'OrganizationDeleted',
    data: { organizationId, deletedBy: newId(), deletedAt: at() },
  });

/** Waits until the reaction has handled the departure `eventId`: the calls made for it. */
async function handled(eventId: string): Promise<Call[]> {
  // A departure ends with `departed`: every stop it makes comes before.
  await eventually(() =>
    expect(calls.some((call) => 'departed' in call && call.causeId === eventId)).toBe(true),
  );
  return calls.filter((call) => call.causeId === eventId);
}

function stopsOf(itemId: string): Call[] {
  return calls.filter((call) => 'stopped' in call && call.stopped === itemId);
}

describe('departureProjection', () => {
  it('stops the departed member’s items in that organization, then calls departed once', async () => {
    const [organization, elsewhere] = [newId(), newId()];
    const [ann, ben] = [newId(), newId()];
    const annThings = [await thing(organization, ann), await thing(organization, ann)];
    const annDropped = await thing(organization, ann);
    await dropped(annDropped);
    await thing(organization, ben);
    await thing(organization, null);
    await thing(elsewhere, ann);

    const removal = await removed(organization, ann);
    const reason = 'member_removed';
    expect(await handled(removal)).toEqual([
      ...[...annThings]
        .sort()
        .map((stopped) => ({ stopped, of: ann, reason, causeId: removal, triggerId: removal })),
      { departed: ann, causeId: removal },
    ]);
  });

  it('stops an item that lands after its owner left at once, until they join again', async () => {
    const organization = newId();
    const [cal, dan] = [newId(), newId()];
    const departure = await left(organization, cal);
    expect(await handled(departure)).toEqual([{ departed: cal, causeId: departure }]);

    const late = await thing(organization, cal);
    await joined(organization, cal);
    const welcome = await thing(organization, cal);
    // The reaction follows `$all` in order: once Dan's later removal is handled, both were seen.
    await handled(await removed(organization, dan));
    const [made] = await store.readStream(`thing-${late}`);
    expect(stopsOf(late)).toEqual([
      { stopped: late, of: cal, reason: 'member_left', causeId: departure, triggerId: made.id },
    ]);
    expect(stopsOf(welcome)).toEqual([]);
  });

  it('stops everyone’s items when the organization is deleted, and any that land after', async () => {
    const organization = newId();
    const items = [await thing(organization, newId()), await thing(organization, newId())];
    const deletion = await deleted(organization);
    const reason = 'organization_deleted';
    expect(await handled(deletion)).toEqual([
      ...items
        .sort()
        .map((stopped) => ({ stopped, of: null, reason, causeId: deletion, triggerId: deletion })),
      { departed: null, causeId: deletion },
    ]);
    const late = await thing(organization, newId());
    const [made] = await store.readStream(`thing-${late}`);
    await eventually(() =>
      expect(stopsOf(late)).toEqual([
        { stopped: late, of: null, reason, causeId: deletion, triggerId: made.id },
      ]),
    );
  });

  it('runs a departure again, whole, when it failed part way: reactions must be idempotent', async () => {
    const organization = newId();
    const eve = newId();
    const items = [await thing(organization, eve), await thing(organization, eve)].sort();
    failOnce.add(items[1]);
    const removal = await removed(organization, eve);
    const stopped = (await handled(removal)).map((call) => 'stopped' in call && call.stopped);
    expect(stopped).toEqual([items[0], items[1], items[0], items[1], false]);
  });
});
