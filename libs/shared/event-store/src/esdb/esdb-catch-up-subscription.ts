import type { ReadableOptions } from 'node:stream';
import type {
  AllStreamResolvedEvent,
  AllStreamSubscription,
  Filter,
  Position as EsdbPosition,
} from '@eventstore/db-client';
import type {
  EventBatchHandler,
  EventFilter,
  Position,
  RecordedEvent,
  Subscription,
} from '../event-store.port';
import { comparePositions, maxPosition } from '../position';
import {
  fromEsdbRecordedEvent,
  isSystemEvent,
  matchesFilter,
  toPortPosition,
  toSubscriptionFilter,
} from './esdb-mapping';

export type OpenClientSubscription = (
  filter: Filter,
  readableOptions: ReadableOptions,
) => AllStreamSubscription;

export interface CatchUpSubscriptionOptions {
  /** the exclusive start: nothing at or before it is handed over */
  startAfter: Position | null;
  filter?: EventFilter;
  onCheckpoint?: (position: Position) => Promise<void> | void;
  batchSize: number;
}

/** A point in the stream of events taken from the client, waited on by checkpoints and caughtUp. */
interface Barrier {
  eventCount: number;
  release: (reached: boolean) => void;
}

/**
 * A catch-up subscription over the client's `subscribeToAll` stream. The client stream is read in
 * paused mode: a batch is whatever is buffered (at most `batchSize`), and nothing more is read
 * until the handler's promise settles, so backpressure reaches the server.
 *
 * The client reports checkpoints and `caughtUp` as soon as it decodes them, while events decoded
 * before them may still wait in its buffer. Both therefore wait until every event received before
 * them has been handled; a checkpoint then reports the larger of its position and the last event's,
 * and only when that moves past what the consumer already knows.
 *
 * Do not `await stop()` inside the handler: stop waits for the handler to return. Throw instead,
 * or call `stop()` without awaiting it.
 */
export class EsdbCatchUpSubscription implements Subscription {
  readonly done: Promise<void>;
  private readonly source: AllStreamSubscription;
  private reachedLiveEdge = false;
  private stopRequested = false;
  private failure: { error: unknown } | null = null;
  private sourceEnded = false;
  private eventsTaken = 0;
  private eventsHandled = 0;
  private barriers: Barrier[] = [];
  private wakePump: (() => void) | null = null;
  /** position of the last event handled or skipped: how far `$all` has been read */
  private lastReadPosition: Position | null;
  /** the furthest position the consumer knows of, from an event batch or a checkpoint */
  private lastKnownPosition: Position | null;

  constructor(
    open: OpenClientSubscription,
    private readonly handler: EventBatchHandler,
    private readonly options: CatchUpSubscriptionOptions,
  ) {
    if (!Number.isSafeInteger(options.batchSize) || options.batchSize < 1) {
      throw new RangeError(`batchSize must be a positive integer, got ${options.batchSize}`);
    }
    this.lastReadPosition = options.startAfter;
    this.lastKnownPosition = options.startAfter;
    const filter = toSubscriptionFilter(options.filter, (_subscription, checkpoint) =>
      this.onServerCheckpoint(checkpoint),
    );
    this.source = open(filter, { highWaterMark: options.batchSize });
    this.source.on('readable', () => this.wake());
    this.source.on('end', () => {
      this.sourceEnded = true;
      this.wake();
    });
    this.source.on('error', (error) => this.fail(error));
    this.source.on('caughtUp', () => {
      void this.untilHandled(this.eventsReceived()).then((reached) => {
        if (reached) this.reachedLiveEdge = true;
      });
    });
    this.done = this.pump();
    // The rejection still reaches whoever awaits `done`, whenever they do; without this, a failure
    // before the consumer awaits would count as unhandled and end the process.
    this.done.catch(() => undefined);
  }

  get caughtUp(): boolean {
    return this.reachedLiveEdge;
  }

  async stop(): Promise<void> {
    if (!this.stopRequested) {
      this.stopRequested = true;
      this.releaseBarriers(false);
      this.wake();
    }
    await this.done.catch(() => undefined);
  }

  private async pump(): Promise<void> {
    try {
      while (!this.stopRequested) {
        if (this.failure) throw this.failure.error;
        const taken = this.takeBuffered();
        if (taken.length > 0) {
          await this.handle(taken);
          continue;
        }
        if (this.sourceEnded) throw new Error('EventStoreDB ended the subscription');
        await new Promise<void>((resolve) => (this.wakePump = resolve));
        this.wakePump = null;
      }
    } finally {
      this.stopRequested = true;
      this.releaseBarriers(false);
      await this.closeSource();
    }
  }

  private takeBuffered(): AllStreamResolvedEvent[] {
    const taken: AllStreamResolvedEvent[] = [];
    while (taken.length < this.options.batchSize) {
      const resolved = this.source.read() as AllStreamResolvedEvent | null;
      if (resolved === null) break;
      taken.push(resolved);
    }
    this.eventsTaken += taken.length;
    return taken;
  }

  private async handle(taken: AllStreamResolvedEvent[]): Promise<void> {
    const { startAfter, filter } = this.options;
    const batch: RecordedEvent[] = [];
    let lastPosition = this.lastReadPosition;
    for (const { event } of taken) {
      if (!event) continue;
      lastPosition = toPortPosition(event.position);
      const alreadySeen = startAfter !== null && comparePositions(lastPosition, startAfter) <= 0;
      if (alreadySeen || isSystemEvent(event) || !matchesFilter(filter, event)) continue;
      batch.push(fromEsdbRecordedEvent(event));
    }
    if (batch.length > 0) {
      await this.handler(batch);
      this.lastKnownPosition = batch[batch.length - 1].position;
    }
    this.lastReadPosition = lastPosition;
    this.eventsHandled += taken.length;
    this.releaseBarriers(true);
  }

  /**
   * Called by the client while it decodes a checkpoint, before it decodes anything after it. It
   * never throws: the client would drop the rejection.
   */
  private async onServerCheckpoint(checkpoint: EsdbPosition): Promise<void> {
    const { onCheckpoint } = this.options;
    if (!onCheckpoint) return;
    if (!(await this.untilHandled(this.eventsReceived()))) return;
    const position = this.lastReadPosition
      ? maxPosition(toPortPosition(checkpoint), this.lastReadPosition)
      : toPortPosition(checkpoint);
    if (this.lastKnownPosition && comparePositions(position, this.lastKnownPosition) <= 0) return;
    try {
      await onCheckpoint(position);
      this.lastKnownPosition = position;
    } catch (error) {
      this.fail(error);
    }
  }

  /** Events the client has decoded so far: taken by the pump, or still in its buffer. */
  private eventsReceived(): number {
    return this.eventsTaken + this.source.readableLength;
  }

  /** Resolves true once that many events are handled, false if the subscription ends first. */
  private untilHandled(eventCount: number): Promise<boolean> {
    if (this.stopRequested || this.failure) return Promise.resolve(false);
    if (this.eventsHandled >= eventCount) return Promise.resolve(true);
    return new Promise((release) => this.barriers.push({ eventCount, release }));
  }

  private releaseBarriers(reached: boolean): void {
    const waiting = this.barriers;
    this.barriers = [];
    for (const barrier of waiting) {
      if (!reached || this.eventsHandled >= barrier.eventCount) barrier.release(reached);
      else this.barriers.push(barrier);
    }
  }

  private fail(error: unknown): void {
    this.failure ??= { error };
    this.releaseBarriers(false);
    this.wake();
  }

  private wake(): void {
    this.wakePump?.();
  }

  private async closeSource(): Promise<void> {
    try {
      await this.source.unsubscribe();
    } catch {
      // The subscription is over either way; a failure to cancel a stream that never opened (or
      // already broke) must not replace the error that ended it.
    }
    this.source.destroy();
  }
}
