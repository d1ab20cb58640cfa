import { formatPosition, type EventMetadata, type JsonObject, type Position } from '../../src';

/** The same event shape goes to every system; each maps it onto its own append API. */
export interface BenchEvent {
  type: string;
  schemaVersion: number;
  data: JsonObject;
  metadata: EventMetadata;
}

export interface SystemConnection {
  /** points at the benchmark database with `search_path` set to `schema` */
  connectionString: string;
  schema: string;
  poolSize: number;
}

/**
 * Records the `$all` positions a reader delivered, to count afterwards how many were distinct: a
 * reader that pages by one key while ordering by another hands some events over twice (or skips
 * some). Recording is a plain push so that the timed read pays next to nothing for it.
 */
export class DeliveryTally {
  private readonly positions: (string | bigint | Position)[] = [];

  add(position: string | bigint | Position) {
    this.positions.push(position);
  }

  get delivered(): number {
    return this.positions.length;
  }

  /** Call after the clock stopped. */
  countDistinct(): number {
    const keyOf = (position: string | bigint | Position) =>
      typeof position === 'object' ? formatPosition(position) : position;
    return new Set(this.positions.map(keyOf)).size;
  }
}

/** One event store (or the raw floor) as the workloads drive it. */
export interface SystemUnderTest {
  /**
   * Appends to `streamName` whose last revision is `lastRevision` (0-based; null when the stream
   * does not exist yet), checked the strictest way the system offers.
   */
  append(streamName: string, lastRevision: bigint | null, events: BenchEvent[]): Promise<void>;
  /** Reads `$all` forwards from the start in pages of `pageSize` until the end. */
  readAll(pageSize: number): Promise<DeliveryTally>;
  /**
   * Subscribes to `$all` from the start until `eventCount` events have arrived, or until the
   * subscription reports it has caught up with fewer (a reader that skips events).
   */
  catchUp(eventCount: number, batchSize: number): Promise<DeliveryTally>;
  close(): Promise<void>;
}

export type OpenSystem = (connection: SystemConnection) => Promise<SystemUnderTest>;
