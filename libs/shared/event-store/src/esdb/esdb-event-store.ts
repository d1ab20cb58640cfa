import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  type ReadPosition,
  type ResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import { StreamNotFoundError, WrongExpectedRevisionError } from '../errors';
import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  type AppendResult,
  type Direction,
  type EventBatchHandler,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamMetadata,
  type Subscription,
  type SubscriptionOptions,
} from '../event-store.port';
import { comparePositions, START as START_OF_ALL } from '../position';
import { EsdbCatchUpSubscription } from './esdb-catch-up-subscription';
import {
  fromEsdbRecordedEvent,
  fromEsdbStreamMetadata,
  isSystemEvent,
  matchesFilter,
  meetsExpectation,
  toAppendExpectedRevision,
  toDeleteExpectedRevision,
  toEsdbEventData,
  toEsdbStreamMetadata,
  toPortError,
  toPortPosition,
  type EsdbPositionedEvent,
} from './esdb-mapping';

/** How long `connect` waits for the server to answer before giving up. */
const CONNECT_TIMEOUT_MS = 5_000;
/** Events read from `$all` per request when readAll has to filter on the client side. */
const READ_ALL_PAGE_SIZE = 500;
const DEFAULT_SUBSCRIPTION_BATCH_SIZE = 100;

/**
 * The event store port over EventStoreDB / KurrentDB (server 22.6 or later: earlier servers do not
 * return `$all` positions on stream reads; `caughtUp` needs 23.10 or later).
 *
 * System events (`$`-prefixed types or streams) never leave this adapter: readAll, headPosition
 * and subscriptions skip them, so `$all` here holds the application's events only.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly subscriptions = new Set<EsdbCatchUpSubscription>();

  private constructor(private readonly client: EventStoreDBClient) {}

  /**
   * Connects with an `esdb://` / `esdb+discover://` connection string and checks the server
   * answers, so a wrong address fails at startup with the address in the message.
   */
  static async connect(url: string): Promise<EventStoreDbEventStore> {
    let client: EventStoreDBClient;
    try {
      client = EventStoreDBClient.connectionString(url);
    } catch (error) {
      throw new Error(`Invalid EventStoreDB connection string ${withoutCredentials(url)}`, {
        cause: error,
      });
    }
    try {
      await withTimeout(
        drain(client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })),
        CONNECT_TIMEOUT_MS,
      );
    } catch (error) {
      await client.dispose();
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`Cannot reach EventStoreDB at ${withoutCredentials(url)}: ${reason}`, {
        cause: error,
      });
    }
    return new EventStoreDbEventStore(client);
  }

  async append(
    streamName: string,
    events: NewEvent[],
    options: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    const expected = options.expectedRevision ?? ANY;
    if (events.length === 0) return this.checkExpectation(streamName, expected);
    try {
      const result = await this.client.appendToStream(
        streamName,
        events.map((event) => toEsdbEventData(event, event.id ?? randomUUID())),
        { expectedRevision: toAppendExpectedRevision(expected) },
      );
      // A server may report no position for an idempotent retry: the event already there has one.
      const position = result.position
        ? toPortPosition(result.position)
        : await this.positionOf(streamName, result.nextExpectedRevision);
      return { nextExpectedRevision: result.nextExpectedRevision, position };
    } catch (error) {
      throw toPortError(error, streamName, expected);
    }
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const direction = options.direction ?? FORWARDS;
    const fromRevision = options.fromRevision ?? (direction === BACKWARDS ? END : START);
    try {
      const resolved = await drain(
        this.client.readStream(streamName, { direction, fromRevision, maxCount: options.maxCount }),
      );
      return resolved.flatMap(({ event }) =>
        event ? [fromEsdbRecordedEvent(positioned(event))] : [],
      );
    } catch (error) {
      throw toPortError(error, streamName, ANY);
    }
  }

  /**
   * The client has no filtered read of `$all`, so this pages through it and filters here: a narrow
   * filter over a large `$all` reads much more than it returns. Subscriptions filter on the server,
   * except by organization (metadata), which only the client can see.
   */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const direction: Direction = options.direction ?? FORWARDS;
    const maxCount = options.maxCount ?? Number.POSITIVE_INFINITY;
    const { filter, toPosition } = options;
    const found: RecordedEvent[] = [];
    let from: ReadPosition = options.fromPosition ?? (direction === BACKWARDS ? END : START);
    while (found.length < maxCount) {
      // One more than wanted, since the event at an exclusive start position may come back too.
      const pageSize = filter
        ? READ_ALL_PAGE_SIZE
        : Math.min(READ_ALL_PAGE_SIZE, maxCount - found.length + 1);
      const page = await drain(
        this.client.readAll({ direction, fromPosition: from, maxCount: pageSize }),
      );
      const exclusiveStart = typeof from === 'object' ? from : null;
      for (const { event } of page) {
        if (!event) continue;
        if (exclusiveStart && comparePositions(event.position, exclusiveStart) === 0) continue;
        if (toPosition && isBeyond(event.position, toPosition, direction)) return found;
        if (isSystemEvent(event) || !matchesFilter(filter, event)) continue;
        found.push(fromEsdbRecordedEvent(event));
        if (found.length === maxCount) return found;
      }
      const last = page.at(-1)?.event;
      if (page.length < pageSize || !last) return found;
      from = toPortPosition(last.position);
    }
    return found;
  }

  async headPosition(): Promise<Position | null> {
    const [newest] = await this.readAll({ direction: BACKWARDS, maxCount: 1 });
    return newest?.position ?? null;
  }

  subscribeToAll(handler: EventBatchHandler, options: SubscriptionOptions = {}): Subscription {
    const fromPosition = options.fromPosition ?? START;
    const subscription = new EsdbCatchUpSubscription(
      (filter, readableOptions) =>
        this.client.subscribeToAll({ fromPosition, filter }, readableOptions),
      handler,
      {
        startAfter: typeof fromPosition === 'object' ? fromPosition : null,
        filter: options.filter,
        onCheckpoint: options.onCheckpoint,
        batchSize: options.batchSize ?? DEFAULT_SUBSCRIPTION_BATCH_SIZE,
      },
    );
    this.subscriptions.add(subscription);
    void subscription.done.then(
      () => this.subscriptions.delete(subscription),
      () => this.subscriptions.delete(subscription),
    );
    return subscription;
  }

  async deleteStream(
    streamName: string,
    options: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<void> {
    await this.removeStream('soft', streamName, options.expectedRevision ?? ANY);
  }

  async tombstoneStream(
    streamName: string,
    options: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<void> {
    await this.removeStream('tombstone', streamName, options.expectedRevision ?? ANY);
  }

  async setStreamMetadata(streamName: string, metadata: StreamMetadata): Promise<void> {
    try {
      await this.client.setStreamMetadata(streamName, toEsdbStreamMetadata(metadata));
    } catch (error) {
      throw toPortError(error, streamName, ANY);
    }
  }

  async getStreamMetadata(streamName: string): Promise<StreamMetadata> {
    try {
      const { metadata } = await this.client.getStreamMetadata(streamName);
      return fromEsdbStreamMetadata(metadata ?? {});
    } catch (error) {
      throw toPortError(error, streamName, ANY);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    await this.client.dispose();
  }

  private async removeStream(
    how: 'soft' | 'tombstone',
    streamName: string,
    expected: ExpectedRevision,
  ): Promise<void> {
    try {
      if (expected === STREAM_EXISTS) await this.checkExpectation(streamName, STREAM_EXISTS);
      const expectedRevision = toDeleteExpectedRevision(expected);
      if (how === 'soft') await this.client.deleteStream(streamName, { expectedRevision });
      else await this.client.tombstoneStream(streamName, { expectedRevision });
    } catch (error) {
      throw toPortError(error, streamName, expected);
    }
  }

  /**
   * Checks an expectation against the stream's last event, for what the client cannot ask the
   * server: an append of no events (the client would read a missing stream's revision as 0) and
   * deletes expecting `stream_exists`. Answers as an append that wrote nothing would.
   */
  private async checkExpectation(
    streamName: string,
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const last = await this.lastEvent(streamName);
    const actual = last ? last.revision : NO_STREAM;
    if (!meetsExpectation(expected, actual)) {
      throw new WrongExpectedRevisionError(streamName, expected, actual);
    }
    return {
      nextExpectedRevision: last?.revision ?? -1n,
      position: last?.position ?? START_OF_ALL,
    };
  }

  private async lastEvent(streamName: string): Promise<RecordedEvent | null> {
    try {
      const [last] = await this.readStream(streamName, { direction: BACKWARDS, maxCount: 1 });
      return last ?? null;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      throw error;
    }
  }

  private async positionOf(streamName: string, revision: bigint): Promise<Position> {
    const [event] = await this.readStream(streamName, { fromRevision: revision, maxCount: 1 });
    if (!event) throw new Error(`Stream ${streamName} has no event at revision ${revision}`);
    return event.position;
  }
}

async function drain<E>(read: StreamingRead<E>): Promise<E[]> {
  const items: E[] = [];
  for await (const item of read) items.push(item);
  return items;
}

/** What servers before 22.6 send instead of an event's `$all` position on stream reads. */
const NO_POSITION = 2n ** 64n - 1n;

/** Whether a read in this direction has gone past its inclusive end. */
function isBeyond(position: Position, end: Position, direction: Direction): boolean {
  const order = comparePositions(position, end);
  return direction === BACKWARDS ? order < 0 : order > 0;
}

function positioned(event: NonNullable<ResolvedEvent['event']>): EsdbPositionedEvent {
  if (!event.position || event.position.commit === NO_POSITION) {
    throw new Error(
      'EventStoreDB returned an event without its position: server 22.6 or later is required',
    );
  }
  return event as EsdbPositionedEvent;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The connection string as it can be logged: user and password removed. */
function withoutCredentials(url: string): string {
  return url.replace(/^([a-z+]+:\/\/)[^@/]*@/i, '$1');
}
