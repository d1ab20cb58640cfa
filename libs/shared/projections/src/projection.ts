import type { EventFilter, EventStore, Position, RecordedEvent } from '@orgplane/event-store';
import { formatPosition } from '@orgplane/event-store';
import type { EntityManager } from 'typeorm';

/**
 * What a projection gets to work with: the transaction's manager, the service's schema, and the
 * event store it follows, to read from.
 */
export interface ProjectionContext {
  /** bound to the runner's transaction: everything written through it commits with the checkpoint */
  readonly manager: EntityManager;
  readonly schema: string;
  /**
   * For a projection that keeps state in memory between batches and must rebuild it after a
   * restart or a rolled-back batch (history snapshots); reading only.
   */
  readonly eventStore: Pick<EventStore, 'readAll'>;
  /** `"schema"."table"`, quoted, for SQL text */
  table(name: string): string;
}

/**
 * A read model fed from `$all`. The runner hands it events exactly once, in order, inside the
 * transaction that also moves its checkpoint, so `apply` needs no deduplication of its own.
 */
export interface Projection {
  /** the read model's table name, and the key of its checkpoint */
  readonly name: string;
  /**
   * The shape of the read model. Raising it makes the runner that next becomes active drop the
   * `tables`, set them up anew and replay every event into them, in one transaction: readers see
   * the old read model until the new one commits.
   */
  readonly version: number;
  /** the tables the projection owns, dropped when its version changes */
  readonly tables: readonly string[];
  readonly filter: EventFilter;
  /**
   * Events per batch when the runner's options name none (default 100): a projection that writes
   * a batch in a few statements, whatever its size, catches up faster with larger ones.
   */
  readonly batchSize?: number;
  /** idempotent DDL (`CREATE TABLE IF NOT EXISTS ...`); runs whenever a runner becomes active */
  setup(context: ProjectionContext): Promise<void>;
  /**
   * Empties the tables for a rebuild. `DELETE` keeps the old rows readable until the rebuild
   * commits; `TRUNCATE` is faster but blocks readers of the table until then.
   */
  reset(context: ProjectionContext): Promise<void>;
  apply(events: readonly RecordedEvent[], context: ProjectionContext): Promise<void>;
}

/** Folds one event into the read model. */
export type Reducer<Event extends RecordedEvent = RecordedEvent> = (
  event: Event,
  context: ProjectionContext,
) => Promise<void>;

/** One reducer per event type; the event reaching each is narrowed to its type. */
export type Reducers<Event extends RecordedEvent> = {
  [Type in Event['type']]?: Reducer<EventOfType<Event, Type>>;
};

/** Narrows a union of typed events; an untyped `RecordedEvent` stays as it is. */
type EventOfType<Event extends RecordedEvent, Type> = [Extract<Event, { type: Type }>] extends [
  never,
]
  ? Event
  : Extract<Event, { type: Type }>;

export interface ProjectionDefinition<Event extends RecordedEvent> {
  name: string;
  /** default 1; see Projection.version */
  version?: number;
  /** default none; see Projection.tables */
  tables?: readonly string[];
  setup: Projection['setup'];
  reset: Projection['reset'];
  reducers: Reducers<Event>;
  /**
   * Defaults to the reducers' event types. A broader filter (a stream name prefix) is allowed;
   * events without a reducer are then skipped.
   */
  filter?: EventFilter;
}

/**
 * Builds a projection from one reducer per event type, ZITADEL style. A reducer that throws is
 * reported as a ProjectionEventError naming the event, so the runner can say which one failed.
 */
export function defineProjection<Event extends RecordedEvent = RecordedEvent>(
  definition: ProjectionDefinition<Event>,
): Projection {
  const reducers = definition.reducers as Partial<Record<string, Reducer>>;
  return {
    name: definition.name,
    version: definition.version ?? 1,
    tables: definition.tables ?? [],
    filter: definition.filter ?? { eventTypes: Object.keys(reducers) },
    setup: definition.setup,
    reset: definition.reset,
    async apply(events, context) {
      for (const event of events) {
        const reducer = reducers[event.type];
        if (!reducer) continue;
        try {
          await reducer(event, context);
        } catch (error) {
          throw new ProjectionEventError(definition.name, event, error);
        }
      }
    },
  };
}

/** The event a projection could not apply. */
export interface FailedEvent {
  id: string;
  type: string;
  streamName: string;
  position: Position;
}

export class ProjectionEventError extends Error {
  override readonly name = 'ProjectionEventError';
  readonly event: FailedEvent;

  constructor(
    readonly projection: string,
    event: RecordedEvent,
    cause: unknown,
  ) {
    super(
      `Projection ${projection} failed on event ${event.id} (${event.type}) of ${event.streamName} ` +
        `at ${formatPosition(event.position)}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.event = {
      id: event.id,
      type: event.type,
      streamName: event.streamName,
      position: event.position,
    };
  }
}

/** Quotes an SQL identifier (schema, table or column name). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualifiedTable(schema: string, table: string): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
}

export function projectionContext(
  manager: EntityManager,
  schema: string,
  eventStore: Pick<EventStore, 'readAll'>,
): ProjectionContext {
  return { manager, schema, eventStore, table: (name) => qualifiedTable(schema, name) };
}
