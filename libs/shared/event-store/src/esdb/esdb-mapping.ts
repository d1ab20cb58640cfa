/**
 * Pure translations between the event store port and `@eventstore/db-client` 6.x: no I/O here, so
 * each rule can be unit tested without a server.
 */
import {
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  StreamDeletedError as EsdbStreamDeletedError,
  StreamNotFoundError as EsdbStreamNotFoundError,
  WrongExpectedVersionError,
  type AppendExpectedRevision,
  type EventData,
  type ExpectedRevision as EsdbExpectedRevision,
  type Filter,
  type Position as EsdbPosition,
  type RecordedEvent as EsdbRecordedEvent,
  type StreamMetadata as EsdbStreamMetadata,
} from '@eventstore/db-client';
import { StreamDeletedError, StreamNotFoundError, WrongExpectedRevisionError } from '../errors';
import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  type EventFilter,
  type EventMetadata,
  type ExpectedRevision,
  type JsonObject,
  type NewEvent,
  type Position,
  type RecordedEvent,
  type StreamMetadata,
} from '../event-store.port';

/** Where the port's `schemaVersion` travels: ESDB events only have type, data and metadata. */
export const SCHEMA_VERSION_KEY = '$schemaVersion';

/**
 * ESDB accepts the port's `any` / `no_stream` / `stream_exists` literals as they are; only the
 * revision number needs a check, since the server takes it as an unsigned 64-bit integer.
 */
export function toAppendExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (typeof expected === 'bigint') assertRevision(expected);
  return expected;
}

/**
 * The client's delete and tombstone calls take no `stream_exists` (the protocol has it, the
 * client does not send it): the caller checks that the stream exists, and the call uses `any`.
 */
export function toDeleteExpectedRevision(expected: ExpectedRevision): EsdbExpectedRevision {
  if (expected === STREAM_EXISTS) return ANY;
  if (typeof expected === 'bigint') assertRevision(expected);
  return expected;
}

/** Whether a stream at `actual` meets the expectation, for the checks the client cannot send. */
export function meetsExpectation(
  expected: ExpectedRevision,
  actual: bigint | typeof NO_STREAM,
): boolean {
  if (expected === ANY) return true;
  if (expected === NO_STREAM) return actual === NO_STREAM;
  if (expected === STREAM_EXISTS) return actual !== NO_STREAM;
  return actual === expected;
}

function assertRevision(revision: bigint): void {
  if (revision < 0n) {
    throw new RangeError(`An expected revision is 0 or more, got ${revision}`);
  }
}

export function toEsdbEventData(event: NewEvent, id: string): EventData {
  return jsonEvent({
    id,
    type: event.type,
    data: event.data,
    metadata: { ...event.metadata, [SCHEMA_VERSION_KEY]: event.schemaVersion },
  });
}

/** A recorded event as the client returns it, with its `$all` position known. */
export type EsdbPositionedEvent = EsdbRecordedEvent & { position: EsdbPosition };

export function fromEsdbRecordedEvent(recorded: EsdbPositionedEvent): RecordedEvent {
  const where = `event ${recorded.id} (${recorded.type}) in stream ${recorded.streamId}`;
  if (!recorded.isJson || !isJsonObject(recorded.data)) {
    throw new Error(`EventStoreDB ${where}: data is not a JSON object`);
  }
  if (!isJsonObject(recorded.metadata)) {
    throw new Error(`EventStoreDB ${where}: metadata is not a JSON object`);
  }
  const { [SCHEMA_VERSION_KEY]: schemaVersion, ...metadata } = recorded.metadata;
  if (typeof schemaVersion !== 'number') {
    throw new Error(`EventStoreDB ${where}: metadata has no ${SCHEMA_VERSION_KEY}`);
  }
  return {
    id: recorded.id,
    streamName: recorded.streamId,
    revision: recorded.revision,
    position: toPortPosition(recorded.position),
    type: recorded.type,
    schemaVersion,
    data: recorded.data,
    metadata: metadata as EventMetadata,
    createdAt: recorded.created,
  };
}

function isJsonObject(value: unknown): value is JsonObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !ArrayBuffer.isView(value)
  );
}

/** Events the server writes for itself (`$metadata`, `$>` links, `$stats-…`, `$$…` streams). */
export function isSystemEvent(event: { streamId: string; type: string }): boolean {
  return event.streamId.startsWith('$') || event.type.startsWith('$');
}

/** The client-side form of a filter: what readAll applies itself (the client has no filtered read). */
export function matchesFilter(
  filter: EventFilter | undefined,
  event: { streamId: string; type: string; metadata?: unknown },
): boolean {
  if (!filter) return true;
  if ('organizationId' in filter) {
    return isJsonObject(event.metadata) && event.metadata.orgId === filter.organizationId;
  }
  if ('streamNamePrefixes' in filter) {
    return filter.streamNamePrefixes.some((prefix) => event.streamId.startsWith(prefix));
  }
  if ('eventTypePrefixes' in filter) {
    return filter.eventTypePrefixes.some((prefix) => event.type.startsWith(prefix));
  }
  return filter.eventTypes.includes(event.type);
}

/** A regex that never matches, in both .NET (the server) and JavaScript. */
const MATCHES_NOTHING = '(?!)';

/** Escapes the characters that are special in .NET and JavaScript regexes alike. */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/** `^(?:a|b)$`: matches exactly the given names, and nothing when there are none. */
export function exactNamesRegex(names: string[]): string {
  if (names.length === 0) return MATCHES_NOTHING;
  return `^(?:${names.map(escapeRegex).join('|')})$`;
}

type CheckpointReached = NonNullable<Filter['checkpointReached']>;

/**
 * The server-side filter of a subscription. Without a port filter it excludes system events, so
 * the server still sends checkpoints. An empty prefix list becomes a match-nothing regex, because
 * the server could take an empty list as no filter at all.
 */
export function toSubscriptionFilter(
  filter: EventFilter | undefined,
  checkpointReached: CheckpointReached,
): Filter {
  // the server filters on stream names and event types only: metadata is matched on the client
  if (!filter || 'organizationId' in filter) return excludeSystemEvents({ checkpointReached });
  if ('streamNamePrefixes' in filter) {
    return filter.streamNamePrefixes.length > 0
      ? streamNameFilter({ prefixes: filter.streamNamePrefixes, checkpointReached })
      : streamNameFilter({ regex: MATCHES_NOTHING, checkpointReached });
  }
  if ('eventTypePrefixes' in filter) {
    return filter.eventTypePrefixes.length > 0
      ? eventTypeFilter({ prefixes: filter.eventTypePrefixes, checkpointReached })
      : eventTypeFilter({ regex: MATCHES_NOTHING, checkpointReached });
  }
  return eventTypeFilter({ regex: exactNamesRegex(filter.eventTypes), checkpointReached });
}

/**
 * ESDB's "stream deleted" marker in `$tb` is Int64.MaxValue, which JSON parsing rounds up past
 * 2^63; anything that large is read back as that marker rather than as a wrong number.
 */
const INT64_MAX = 2n ** 63n - 1n;

export function toEsdbStreamMetadata(metadata: StreamMetadata): EsdbStreamMetadata {
  const { maxCount, maxAge, truncateBefore, ...custom } = metadata;
  const esdbMetadata: EsdbStreamMetadata = { ...custom };
  if (maxCount !== undefined) esdbMetadata.maxCount = maxCount;
  if (maxAge !== undefined) esdbMetadata.maxAge = maxAge;
  if (truncateBefore !== undefined) {
    if (truncateBefore > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new RangeError(
        `truncateBefore ${truncateBefore} is beyond what JSON can carry exactly`,
      );
    }
    esdbMetadata.truncateBefore = Number(truncateBefore);
  }
  return esdbMetadata;
}

export function fromEsdbStreamMetadata(esdbMetadata: EsdbStreamMetadata): StreamMetadata {
  const { maxCount, maxAge, truncateBefore, ...custom } = esdbMetadata;
  const metadata: StreamMetadata = { ...custom };
  if (maxCount !== undefined) metadata.maxCount = maxCount;
  if (maxAge !== undefined) metadata.maxAge = maxAge;
  if (typeof truncateBefore === 'number') {
    metadata.truncateBefore = Number.isSafeInteger(truncateBefore)
      ? BigInt(truncateBefore)
      : INT64_MAX;
  }
  return metadata;
}

/**
 * The port's errors for the client's: wrong expected version (keeping the actual revision), stream
 * not found, stream deleted (tombstoned). Anything else is returned as it is.
 */
export function toPortError(
  error: unknown,
  streamName: string,
  expected: ExpectedRevision,
): unknown {
  if (error instanceof WrongExpectedVersionError) {
    return new WrongExpectedRevisionError(streamName, expected, error.actualVersion);
  }
  if (error instanceof EsdbStreamNotFoundError) return new StreamNotFoundError(streamName);
  if (error instanceof EsdbStreamDeletedError) return new StreamDeletedError(streamName);
  return error;
}

export function toPortPosition(position: EsdbPosition): Position {
  return { commit: position.commit, prepare: position.prepare };
}
