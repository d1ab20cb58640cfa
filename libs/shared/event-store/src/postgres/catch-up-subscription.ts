import type {
  EventBatchHandler,
  Position,
  Subscription,
  SubscriptionOptions,
} from '../event-store.port';
import { comparePositions, START } from '../position';
import {
  AFTER_EVERYTHING,
  type AllPage,
  type AllStreamReader,
  type SettleTiming,
} from './all-stream-reader';
import type { AppendWaker } from './append-waker';

function delay(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, milliseconds);
    signal.addEventListener('abort', done);
  });
}

interface PageRead {
  page: AllPage;
  /** the waker's count when the read started: appends after it may be missing from the page */
  appendsSeen: number;
}

export interface CatchUpTiming {
  /** longest sleep between two reads when no append wakes the subscription */
  pollIntervalMs: number;
  /**
   * least time between reads that found no full page; also how soon to read again when committed
   * events wait behind an older open transaction
   */
  settleDelayMs: number;
  defaultBatchSize: number;
  /** how long a subscription from the end waits for everything committed before it to be final */
  settle: SettleTiming;
}

/**
 * A catch-up subscription to `$all`: reads a batch after its cursor, hands it over, waits for the
 * handler, repeats; sleeps when there is nothing to read until an append wakes it or the poll
 * interval passes. It never skips: a handler error ends it, and `done` rejects with that error.
 */
export class CatchUpSubscription implements Subscription {
  readonly done: Promise<void>;
  private isCaughtUp = false;
  private readonly stopping = new AbortController();
  private readonly batchSize: number;

  constructor(
    private readonly reader: AllStreamReader,
    private readonly waker: AppendWaker,
    private readonly handler: EventBatchHandler,
    private readonly options: SubscriptionOptions,
    private readonly timing: CatchUpTiming,
  ) {
    this.batchSize = options.batchSize ?? timing.defaultBatchSize;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new RangeError(`batchSize must be a positive integer, got ${this.batchSize}`);
    }
    this.done = this.run();
    // a consumer that never looks at `done` must not turn a failure into an unhandled rejection
    this.done.catch(() => undefined);
  }

  get caughtUp(): boolean {
    return this.isCaughtUp;
  }

  /** Resolves once the subscription has stopped; do not await it inside the handler. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.done.catch(() => undefined);
  }

  private async run(): Promise<void> {
    const stopped = this.stopping.signal;
    await this.waker.listen();
    let cursor = await this.startPosition();
    // the newest transaction committed at the start; caught up once the stable part of $all
    // reaches past it (undefined until the first read tells)
    let newestAtStart: bigint | null | undefined;
    let readAhead: Promise<PageRead> | null = null;
    while (!stopped.aborted) {
      const { page, appendsSeen } = await (readAhead ?? this.readAfter(cursor));
      readAhead = null;
      if (stopped.aborted) return;
      if (newestAtStart === undefined) newestAtStart = page.newestCommit;

      const full = page.events.length === this.batchSize;
      if (page.events.length > 0) {
        const last = page.events[page.events.length - 1].position;
        // After a full page more is likely there: read it while the handler works (reading and
        // parsing take as long as each other, so this nearly doubles catch-up speed). It is
        // dropped unseen if the handler fails or the subscription stops.
        if (full) readAhead = this.readAfter(last);
        await this.handler(page.events);
        cursor = last;
      }
      if (full) continue;

      // nothing else up to the stable head matched: tell a filtered consumer how far it got
      if (page.stableHead && comparePositions(page.stableHead, cursor) > 0) {
        cursor = page.stableHead;
        await this.options.onCheckpoint?.(cursor);
      }
      if (newestAtStart === null || page.horizon > newestAtStart) this.isCaughtUp = true;

      // Reads after a partial page are spaced out: under a steady flow of appends one read then
      // picks up many of them, rather than one query per append.
      await delay(this.timing.settleDelayMs, stopped);
      const settling = page.newestCommit !== null && page.newestCommit >= page.horizon;
      if (!settling) {
        void this.waker.listen();
        await this.waker.sleep(appendsSeen, this.timing.pollIntervalMs, stopped);
      }
    }
  }

  /** Reads the page after `cursor`, noting how many appends had been seen before it was read. */
  private readAfter(cursor: Position): Promise<PageRead> {
    const appendsSeen = this.waker.appendsSeen;
    const read = this.reader
      .readPage({
        direction: 'forwards',
        from: cursor,
        filter: this.options.filter,
        limit: this.batchSize,
      })
      .then((page) => ({ page, appendsSeen }));
    // a read ahead may be abandoned; its failure then matters to no one
    read.catch(() => undefined);
    return read;
  }

  private async startPosition(): Promise<Position> {
    const from = this.options.fromPosition ?? 'start';
    if (from === 'start') return START;
    if (from !== 'end') return from;
    // Starts after everything committed before the subscription. Transactions still running
    // sort after that head, so none of their events is lost; those finishing while it starts may
    // fall on either side.
    const head = await this.reader.readSettledPage(
      { direction: 'backwards', from: AFTER_EVERYTHING, limit: 0 },
      this.timing.settle,
    );
    return head.stableHead ?? START;
  }
}
