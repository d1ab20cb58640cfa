/**
 * The event store port: EventStoreDB semantics, whichever adapter sits behind it.
 * See docs/adr/0002-event-store-port.md for why each choice was made.
 */

/** Who caused an event: a signed-in user, an API key acting for its owner, or the system. */
export interface Actor {
  type: 'user' | 'api_key' | 'system';
  /** user id, API key id, or the name of the system component (`membership.member-removal-reaction`) */
  id: string;
  /** the user an API key acts for */
  userId?: string;
}

/** Metadata every event carries. Extra fields (a cause) may follow. */
export interface EventMetadata {
  orgId: string | null;
  actor: Actor;
  requestId: string;
  correlationId: string;
  causationId: string;
  /** the address of the HTTP client whose request appended the event */
  ip?: string;
  /** that client's `User-Agent` */
  userAgent?: string;
  [extra: string]: unknown;
}

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** An event about to be appended. */
export interface NewEvent<Type extends string = string, Data extends JsonObject = JsonObject> {
  /** uuid; appending the same id again is idempotent (see `append`). Generated when absent. */
  id?: string;
  type: Type;
  schemaVersion: number;
  data: Data;
  metadata: EventMetadata;
}

/**
 * A place in `$all`. Ordered lexicographically by (commit, prepare); not contiguous, so lag is
 * never `head - position`. Postgres: (transaction id, sequence). EventStoreDB: its own pair.
 */
export interface Position {
  commit: bigint;
  prepare: bigint;
}

export interface RecordedEvent<Type extends string = string, Data extends JsonObject = JsonObject> {
  id: string;
  streamName: string;
  /** 0-based, contiguous within the stream */
  revision: bigint;
  position: Position;
  type: Type;
  schemaVersion: number;
  data: Data;
  metadata: EventMetadata;
  createdAt: Date;
}

export const ANY = 'any' as const;
export const NO_STREAM = 'no_stream' as const;
export const STREAM_EXISTS = 'stream_exists' as const;
/** `any`, `no_stream`, `stream_exists`, or the exact revision of the stream's last event. */
export type ExpectedRevision = typeof ANY | typeof NO_STREAM | typeof STREAM_EXISTS | bigint;

export interface AppendResult {
  /** revision of the last event now in the stream (what to pass as expected revision next) */
  nextExpectedRevision: bigint;
  /** position of the last event appended (or of the already-present one on an idempotent retry) */
  position: Position;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  /** default: start (forwards) or end (backwards) */
  fromRevision?: bigint | 'start' | 'end';
  direction?: Direction;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** exclusive when a Position is given: reading resumes after it. Default: start / end. */
  fromPosition?: Position | 'start' | 'end';
  /** inclusive: where the read stops (forwards) or the last it reaches (backwards). Default: none */
  toPosition?: Position;
  direction?: Direction;
  maxCount?: number;
  filter?: EventFilter;
}

/**
 * Keep filters to prefixes where possible: POSIX and .NET regexes differ. `organizationId` keeps
 * the events whose `metadata.orgId` is that organization: indexed in PostgreSQL, but EventStoreDB
 * cannot filter on metadata, so there it is applied on the client to the whole of `$all`.
 */
export type EventFilter =
  | { streamNamePrefixes: string[] }
  | { eventTypePrefixes: string[] }
  | { eventTypes: string[] }
  | { organizationId: string };

export interface StreamMetadata {
  maxCount?: number;
  /** seconds */
  maxAge?: number;
  truncateBefore?: bigint;
  [custom: string]: unknown;
}

export interface SubscriptionOptions {
  /** resume after this position (exclusive); default: the start of `$all` */
  fromPosition?: Position | 'start' | 'end';
  filter?: EventFilter;
  /**
   * Called when the subscription has read `$all` up to `position` with nothing more matching the
   * filter before it, so a filtered consumer can still move its checkpoint forward.
   */
  onCheckpoint?: (position: Position) => Promise<void> | void;
  /** max events handed over per batch */
  batchSize?: number;
}

/**
 * A catch-up subscription to `$all`. Events arrive one batch at a time; the next batch is read
 * only after the handler's promise resolves. If the handler throws, the subscription stops with
 * that error (`done` rejects): the consumer decides whether and from where to resubscribe.
 */
export interface Subscription {
  /** resolves after `stop()`, rejects with the handler's or the store's error */
  readonly done: Promise<void>;
  /** true once the subscription has read everything committed when it started */
  readonly caughtUp: boolean;
  stop(): Promise<void>;
}

export type EventBatchHandler = (events: RecordedEvent[]) => Promise<void>;

export interface EventStore {
  /**
   * Appends atomically. Fails with WrongExpectedRevisionError (writing nothing) when the stream's
   * revision does not match, and with StreamDeletedError when the stream is tombstoned.
   * Idempotent: appending events whose ids are already the stream's events at the expected place
   * (or anywhere, with `any`) succeeds and writes nothing; a partial overlap is a wrong revision.
   */
  append(
    streamName: string,
    events: NewEvent[],
    options?: { expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult>;

  /** Raises StreamNotFoundError for a stream that never existed or was deleted. */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;

  /** The position of the newest event in `$all`, or null when empty. */
  headPosition(): Promise<Position | null>;

  subscribeToAll(handler: EventBatchHandler, options?: SubscriptionOptions): Subscription;

  /** Soft delete: the stream reads as not found; a later append continues its revisions. */
  deleteStream(
    streamName: string,
    options?: { expectedRevision?: ExpectedRevision },
  ): Promise<void>;

  /** Tombstone: the stream is gone for good; appends and reads fail with StreamDeletedError. */
  tombstoneStream(
    streamName: string,
    options?: { expectedRevision?: ExpectedRevision },
  ): Promise<void>;

  setStreamMetadata(streamName: string, metadata: StreamMetadata): Promise<void>;
  getStreamMetadata(streamName: string): Promise<StreamMetadata>;

  close(): Promise<void>;
}
