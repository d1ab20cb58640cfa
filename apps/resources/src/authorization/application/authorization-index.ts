import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AuthorizationView, AuthorizeRequest } from '@orgplane/contracts';
import { EVENT_STORE } from '@orgplane/event-sourcing';
import {
  comparePositions,
  formatPosition,
  type EventStore,
  type Position,
  type RecordedEvent,
  type Subscription,
} from '@orgplane/event-store';
import { DataSource } from 'typeorm';
import { RESOURCES_CONFIG, type ResourcesConfig } from '../../resources.config';
import {
  ACCESS_INDEX_EVENT_TYPES,
  AccessIndex,
  type AccessIndexSize,
} from '../domain/access-index';
import { loadAccessSnapshot } from '../infrastructure/access-snapshot';

/** At start-up, how long the index may take to catch up with `$all` before answering anyway. */
const START_CATCH_UP_MS = 30_000;
/** First delay before following `$all` again after the subscription failed; doubles to the max. */
const RETRY_DELAY_MS = 250;
const MAX_RETRY_DELAY_MS = 10_000;
/** Events per read of `$all` while following. */
const BATCH_SIZE = 1000;

interface Waiter {
  position: Position;
  resolve(reached: boolean): void;
  timer: NodeJS.Timeout;
}

/**
 * This instance's authorization index (AccessIndex) and how fresh it is.
 *
 * `start()` loads the read models and their checkpoint in one snapshot, then follows `$all` from
 * that checkpoint (only the events the index folds, plus checkpoints past the others), and returns
 * once the index has reached the head `$all` had when it started: an instance never answers from a
 * state older than the event store's when it began to answer.
 *
 * `position`: every event of `$all` up to it is in the index. It trails the newest append by the
 * store's wake-up (an append wakes subscriptions at once in its own process, within a few
 * milliseconds elsewhere through NOTIFY, within the 250 ms poll at worst) plus the fold itself.
 * A check that carries a consistency position waits (`reached`) until the index holds it, so an
 * answer never predates a write its caller has seen; past the bound the responder answers 503.
 *
 * If following fails (the database is unreachable, an event does not decode) the index keeps its
 * state and follows again from `position` after a growing delay. While the database is
 * unreachable nothing can be appended to `$all` either, so the answers miss nothing committed
 * meanwhile; checks carrying a newer position wait, then get the 503.
 */
@Injectable()
export class AuthorizationIndex {
  private readonly logger = new Logger('AuthorizationIndex');
  private readonly index = new AccessIndex();
  private current: Position | null = null;
  private subscription: Subscription | null = null;
  private following: Promise<void> | null = null;
  private stopping = false;
  private waiters: Waiter[] = [];
  private wakeRetry: (() => void) | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly dataSource: DataSource,
    @Inject(RESOURCES_CONFIG) private readonly config: ResourcesConfig,
  ) {}

  /** Every event of `$all` up to here is in the index; null before the first was seen. */
  get position(): Position | null {
    return this.current;
  }

  size(): AccessIndexSize {
    return this.index.size();
  }

  decide(request: AuthorizeRequest): AuthorizationView {
    return this.index.decide(request, Date.now());
  }

  /** Whether the index holds everything up to `position` (a check can answer at once). */
  has(position: Position): boolean {
    return this.current !== null && comparePositions(this.current, position) >= 0;
  }

  /** true once the index holds `position`; false if `timeoutMs` passed first. */
  reached(position: Position, timeoutMs: number): Promise<boolean> {
    if (this.has(position)) return Promise.resolve(true);
    if (this.stopping) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        position,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((other) => other !== waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  async start(): Promise<void> {
    const startedAt = performance.now();
    const head = await this.store.headPosition();
    const { snapshot, position } = await loadAccessSnapshot(
      this.dataSource,
      this.config.READ_MODEL_SCHEMA,
    );
    this.index.load(snapshot);
    this.current = position;
    const loadedMs = Math.round(performance.now() - startedAt);
    this.following = this.follow();
    const caughtUp = head === null || (await this.reached(head, START_CATCH_UP_MS));
    const size = this.index.size();
    const facts = {
      ...size,
      loadedFrom: position ? formatPosition(position) : 'start',
      loadedMs,
      position: this.current ? formatPosition(this.current) : null,
      startMs: Math.round(performance.now() - startedAt),
    };
    if (caughtUp) this.logger.log(`Authorization index ready: ${JSON.stringify(facts)}`);
    else {
      this.logger.warn(
        `Authorization index answers before reaching ${formatPosition(head!)} ` +
          `(${START_CATCH_UP_MS} ms passed): ${JSON.stringify(facts)}`,
      );
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeRetry?.();
    await this.subscription?.stop();
    await this.following;
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(false);
    }
    this.waiters = [];
  }

  /** Follows `$all` from `position` until stopped, again after each failure. */
  private async follow(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      const subscription = this.store.subscribeToAll((events) => this.applyBatch(events), {
        fromPosition: this.current ?? 'start',
        filter: { eventTypes: [...ACCESS_INDEX_EVENT_TYPES] },
        batchSize: BATCH_SIZE,
        onCheckpoint: (position) => {
          failures = 0;
          this.advance(position);
        },
      });
      this.subscription = subscription;
      try {
        await subscription.done;
        if (this.stopping) return;
        throw new Error('the subscription to $all ended on its own');
      } catch (error) {
        if (this.stopping) return;
        failures += 1;
        const delay = Math.min(RETRY_DELAY_MS * 2 ** (failures - 1), MAX_RETRY_DELAY_MS);
        this.logger.error(
          `Authorization index stopped following $all at ${
            this.current ? formatPosition(this.current) : 'start'
          }: ${error instanceof Error ? error.message : String(error)}; again in ${delay} ms`,
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wakeRetry = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeRetry = null;
      }
    }
  }

  private async applyBatch(events: readonly RecordedEvent[]): Promise<void> {
    for (const event of events) {
      if (this.current && comparePositions(event.position, this.current) <= 0) continue;
      this.index.apply(event);
      this.current = event.position;
    }
    this.advance(events[events.length - 1].position);
  }

  private advance(position: Position): void {
    if (!this.current || comparePositions(position, this.current) > 0) this.current = position;
    if (!this.waiters.length) return;
    const current = this.current;
    this.waiters = this.waiters.filter((waiter) => {
      if (comparePositions(current, waiter.position) < 0) return true;
      clearTimeout(waiter.timer);
      waiter.resolve(true);
      return false;
    });
  }
}
