import { setTimeout as sleep } from 'node:timers/promises';
import type { EventStore, Position, RecordedEvent } from '@orgplane/event-store';
import {
  comparePositions,
  formatPosition,
  isDatabaseOutage,
  maxPosition,
} from '@orgplane/event-store';
import type { DataSource } from 'typeorm';
import {
  createCheckpointTableSql,
  createVersionTableSql,
  deleteCheckpoint,
  readCheckpoint,
  readProjectionVersion,
  saveCheckpoint,
  saveProjectionVersion,
} from './checkpoints';
import {
  type FailedEvent,
  type Projection,
  type ProjectionContext,
  ProjectionEventError,
  projectionContext,
} from './projection';
import { ProjectionLock, projectionLockKey } from './projection-lock';
import { lockSchemaForDdl } from './schema-ddl';

/** Fits NestJS's Logger and `console`. */
export interface ProjectionLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ProjectionRunnerOptions {
  /** the read models' schema; default: the DataSource's `schema` option */
  schema?: string;
  /**
   * events per subscription batch, per transaction, and per page of a rebuild; default the
   * projection's own `batchSize`, else 100
   */
  batchSize?: number;
  /** how often a standby tries to take the lock, and the active runner probes its connection; default 1000 */
  lockRetryIntervalMs?: number;
  /** delay before the first retry after a failure, doubled on each further failure; default 1000 */
  retryDelayMs?: number;
  /** default 30000 */
  maxRetryDelayMs?: number;
  /**
   * The server ends the active instance's session when one of its transactions idles this long
   * (a hung reducer), freeing the lock for a standby; default 30000
   */
  idleInTransactionTimeoutMs?: number;
  /** default `console` */
  logger?: ProjectionLogger;
}

export type ProjectionStatus =
  | { state: 'stopped' }
  /** another instance holds the lock (or this one just lost it); it retries until the lock is free */
  | { state: 'standby'; since: Date }
  | { state: 'running'; since: Date }
  | { state: 'rebuilding'; since: Date }
  | {
      state: 'failing';
      since: Date;
      error: Error;
      /** known when the projection names it (defineProjection does) */
      failedEvent: FailedEvent | null;
      attempts: number;
      retryAt: Date;
    };

export interface ProjectionLag {
  checkpoint: Position | null;
  head: Position | null;
  /** no event matching the projection's filter lies past its checkpoint */
  caughtUp: boolean;
  /** ms since the oldest event not yet applied was written; 0 when caught up */
  timeLagMs: number;
}

/** What a rebuild did. */
export interface RebuildSummary {
  eventsReplayed: number;
  /** from taking the runner's connection to the commit of the rebuild's transaction */
  durationMs: number;
  /** the checkpoint it committed; null when no event matches the projection */
  checkpoint: Position | null;
}

/** A batch failed in a projection that did not say which of its events was at fault. */
export class ProjectionBatchError extends Error {
  override readonly name = 'ProjectionBatchError';
  readonly lastPosition: Position;

  constructor(projection: string, events: readonly RecordedEvent[], cause: unknown) {
    const first = events[0];
    const last = events[events.length - 1];
    super(
      `Projection ${projection} failed on a batch of ${events.length} events from ${first.id} ` +
        `(${first.type}) at ${formatPosition(first.position)} to ${last.id} (${last.type}) at ` +
        `${formatPosition(last.position)}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.lastPosition = last.position;
  }
}

/** One subscription's lifetime: handlers called after it ended must not write. */
interface Following {
  active: boolean;
  fail(error: unknown): void;
}

interface RebuildRequest {
  promise: Promise<RebuildSummary>;
  resolve(summary: RebuildSummary): void;
  reject(error: unknown): void;
}

/**
 * Keeps one projection's read model up to date, at most one active instance across processes.
 *
 * The active instance holds a session advisory lock on one connection and runs every transaction
 * there: each batch of events and the checkpoint commit together (exactly once), and a lost
 * connection loses the lock and the open transaction at once. Standbys retry the lock every
 * `lockRetryIntervalMs`. A failing event is never skipped: the batch rolls back, and the runner
 * resubscribes from its checkpoint after a growing delay until the event applies.
 */
export class ProjectionRunner {
  readonly schema: string;
  private readonly batchSize: number;
  private readonly lockRetryIntervalMs: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly idleInTransactionTimeoutMs: number;
  private readonly logger: ProjectionLogger;
  private readonly label: string;

  private current: ProjectionStatus = { state: 'stopped' };
  private loop: Promise<void> | null = null;
  private stopping = false;
  /** aborted to cut short a pause or a subscription: on stop, or to run a rebuild */
  private interrupt = new AbortController();
  private lock: ProjectionLock | null = null;
  /** the committed checkpoint, while this instance is active */
  private checkpoint: Position | null = null;
  private failures = 0;
  /** once the checkpoint reaches it, the failure is over; null: once following resumes */
  private recoveryPosition: Position | null = null;
  private rebuildRequest: RebuildRequest | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    readonly projection: Projection,
    options: ProjectionRunnerOptions = {},
  ) {
    const schema = options.schema ?? (dataSource.options as { schema?: string }).schema;
    if (!schema) {
      throw new Error(`ProjectionRunner ${projection.name}: no schema in options or DataSource`);
    }
    this.schema = schema;
    this.batchSize = options.batchSize ?? projection.batchSize ?? 100;
    this.lockRetryIntervalMs = options.lockRetryIntervalMs ?? 1000;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    this.idleInTransactionTimeoutMs = options.idleInTransactionTimeoutMs ?? 30_000;
    this.logger = options.logger ?? console;
    this.label = `Projection ${schema}.${projection.name}`;
  }

  get status(): ProjectionStatus {
    return this.current;
  }

  /** This instance holds the projection's lock: `rebuild()` runs here. */
  get active(): boolean {
    return this.lock !== null;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Finishes the batch in flight, releases the lock and resolves once stopped. */
  async stop(): Promise<void> {
    if (!this.loop) return;
    this.stopping = true;
    this.wake();
    await this.loop;
    this.loop = null;
  }

  /**
   * Empties the read model and replays every matching event into it, in one transaction with the
   * checkpoint: readers see the old model until the new one commits, never a half-built one. The
   * transaction lasts the whole replay and holds back the event store's `$all` readers meanwhile
   * (see event-store-notes.md), so this suits small read models. Runs on the active instance
   * only; elsewhere it throws.
   */
  rebuild(): Promise<RebuildSummary> {
    if (!this.lock) {
      return Promise.reject(
        new Error(`${this.label} is ${this.current.state} here: rebuild it where it is active`),
      );
    }
    if (!this.rebuildRequest) {
      let resolve!: (summary: RebuildSummary) => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<RebuildSummary>((res, rej) => ((resolve = res), (reject = rej)));
      this.rebuildRequest = { promise, resolve, reject };
      this.wake();
    }
    return this.rebuildRequest.promise;
  }

  /** Reads the checkpoint from its table, so any instance (or none) can answer. */
  async lag(): Promise<ProjectionLag> {
    const [checkpoint, head] = await Promise.all([
      readCheckpoint(this.dataSource, this.schema, this.projection.name),
      this.store.headPosition(),
    ]);
    if (!head || (checkpoint && comparePositions(checkpoint, head) >= 0)) {
      return { checkpoint, head, caughtUp: true, timeLagMs: 0 };
    }
    // Positions are not contiguous: what is left is whatever matching event follows the checkpoint.
    const [next] = await this.store.readAll({
      fromPosition: checkpoint ?? 'start',
      maxCount: 1,
      filter: this.projection.filter,
    });
    if (!next) return { checkpoint, head, caughtUp: true, timeLagMs: 0 };
    return {
      checkpoint,
      head,
      caughtUp: false,
      timeLagMs: Math.max(0, Date.now() - next.createdAt.getTime()),
    };
  }

  private async run(): Promise<void> {
    const key = projectionLockKey(this.schema, this.projection.name);
    while (!this.stopping) {
      let lock: ProjectionLock | null;
      try {
        lock = await ProjectionLock.tryAcquire(this.dataSource, key, {
          heartbeatIntervalMs: this.lockRetryIntervalMs,
          idleInTransactionTimeoutMs: this.idleInTransactionTimeoutMs,
        });
      } catch (error) {
        await this.pause(this.fail(error));
        continue;
      }
      if (!lock) {
        this.standBy();
        await this.pause(this.lockRetryIntervalMs);
        continue;
      }
      this.logger.log(`${this.label}: took the lock, this instance is active`);
      this.lock = lock;
      try {
        await this.lead(lock);
      } finally {
        this.lock = null;
        this.rebuildRequest?.reject(new Error(`${this.label} lost its lock before rebuilding`));
        this.rebuildRequest = null;
        await lock.release();
      }
      if (!this.stopping) {
        // Lost the connection: a standby, whose connection still works, gets the first chance.
        this.standBy();
        await this.pause(this.lockRetryIntervalMs);
      }
    }
    this.current = { state: 'stopped' };
  }

  /** Works while the lock is held; returns on stop or when the lock's connection is gone. */
  private async lead(lock: ProjectionLock): Promise<void> {
    let prepared = false;
    while (!this.stopping) {
      try {
        if (!prepared) {
          const { versionChanged } = await this.prepare(lock);
          // Until the new version's rebuild commits, the old read model stands and is not
          // followed: a failed rebuild is tried again from prepare.
          if (versionChanged) await this.rebuildWith(lock, { replaceTables: true });
          prepared = true;
        }
        const rebuild = this.rebuildRequest;
        if (rebuild) {
          this.rebuildRequest = null;
          await this.rebuildWith(lock).then(rebuild.resolve, async (error: unknown) => {
            rebuild.reject(error);
            if (!(await lock.isHeld())) throw error;
            // The rebuild rolled back and the previous read model stands: keep following it.
            this.logger.error(`${this.label}: rebuild failed, nothing changed: ${describe(error)}`);
          });
        }
        await this.follow(lock);
      } catch (error) {
        if (!(await lock.isHeld())) {
          this.logger.warn(`${this.label}: lost its lock connection (${describe(error)})`);
          return;
        }
        await this.pause(this.fail(error));
      }
    }
  }

  /**
   * Sets up the schema and the read model. A read model of another version is left as it is for
   * the rebuild that replaces it; one recorded before versions existed counts as version 1.
   */
  private prepare(lock: ProjectionLock): Promise<{ versionChanged: boolean }> {
    const { queryRunner } = lock;
    const { name, version } = this.projection;
    return lock.exclusive(() =>
      this.transaction(lock, async (context) => {
        await lockSchemaForDdl(queryRunner, this.schema);
        await queryRunner.query(createCheckpointTableSql(this.schema));
        await queryRunner.query(createVersionTableSql(this.schema));
        const recorded = await readProjectionVersion(queryRunner, this.schema, name);
        const hasHistory = (await readCheckpoint(queryRunner, this.schema, name)) !== null;
        const current = recorded ?? (hasHistory ? 1 : version);
        if (current !== version) {
          this.logger.log(`${this.label}: read model version ${current} -> ${version}`);
          return { versionChanged: true };
        }
        await this.projection.setup(context);
        if (recorded === null) await saveProjectionVersion(queryRunner, this.schema, name, version);
        return { versionChanged: false };
      }),
    );
  }

  /** Subscribes from the checkpoint; returns when interrupted, throws when it fails or ends. */
  private async follow(lock: ProjectionLock): Promise<void> {
    const { signal } = this.interrupt;
    if (this.stopping || this.rebuildRequest) return;
    this.checkpoint = await lock.exclusive(() =>
      readCheckpoint(lock.queryRunner, this.schema, this.projection.name),
    );
    let failFollowing!: (error: unknown) => void;
    const failed = new Promise<never>((_, reject) => (failFollowing = reject));
    const following: Following = { active: true, fail: failFollowing };
    const subscription = this.store.subscribeToAll(
      (events) => this.applyBatch(lock, following, events),
      {
        fromPosition: this.checkpoint ?? 'start',
        filter: this.projection.filter,
        batchSize: this.batchSize,
        onCheckpoint: (position) => this.advance(lock, following, position),
      },
    );
    if (this.current.state !== 'failing' || !this.recoveryPosition) this.recovered();
    const stopLosing = lock.onLost(failFollowing);
    let onInterrupt!: () => void;
    const interrupted = new Promise<void>((resolve) => {
      onInterrupt = resolve;
      if (signal.aborted) resolve();
      signal.addEventListener('abort', onInterrupt, { once: true });
    });
    try {
      await Promise.race([subscription.done, failed, interrupted]);
      if (!signal.aborted) throw new Error(`${this.label}: subscription ended on its own`);
    } finally {
      // A failing runner follows again and again on the same signal: one listener each time
      // would pile up until the next stop or rebuild.
      signal.removeEventListener('abort', onInterrupt);
      following.active = false;
      stopLosing();
      await subscription.stop().catch(() => undefined);
      // Let a transaction already started finish before the connection is used for anything else.
      await lock.exclusive(async () => undefined).catch(() => undefined);
    }
  }

  private applyBatch(
    lock: ProjectionLock,
    following: Following,
    events: RecordedEvent[],
  ): Promise<void> {
    return lock.exclusive(async () => {
      if (!following.active) throw new Error(`${this.label}: subscription already ended`);
      const checkpoint = this.checkpoint;
      const fresh = checkpoint
        ? events.filter((event) => comparePositions(event.position, checkpoint) > 0)
        : events;
      if (!fresh.length) return;
      const last = fresh[fresh.length - 1].position;
      await this.transaction(lock, async (context) => {
        try {
          await this.projection.apply(fresh, context);
        } catch (error) {
          if (error instanceof ProjectionEventError) throw error;
          throw new ProjectionBatchError(this.projection.name, fresh, error);
        }
        await saveCheckpoint(lock.queryRunner, this.schema, this.projection.name, last);
      });
      this.committed(last);
    });
  }

  /**
   * The subscription read past events that do not match: move the checkpoint so read-your-writes
   * waits on those positions end. One statement, so it commits (and notifies) on its own.
   */
  private async advance(
    lock: ProjectionLock,
    following: Following,
    position: Position,
  ): Promise<void> {
    try {
      await lock.exclusive(async () => {
        if (!following.active) return;
        if (this.checkpoint && comparePositions(position, this.checkpoint) <= 0) return;
        await saveCheckpoint(lock.queryRunner, this.schema, this.projection.name, position);
        this.committed(position);
      });
    } catch (error) {
      following.fail(error);
    }
  }

  /** With `replaceTables`, drops the projection's tables and sets them up anew first. */
  private async rebuildWith(
    lock: ProjectionLock,
    { replaceTables = false }: { replaceTables?: boolean } = {},
  ): Promise<RebuildSummary> {
    this.current = { state: 'rebuilding', since: new Date() };
    this.logger.log(`${this.label}: rebuilding from the start of $all`);
    const { queryRunner } = lock;
    let eventsReplayed = 0;
    const startedAt = performance.now();
    const checkpoint = await lock.exclusive(() =>
      this.transaction(lock, async (context) => {
        const previous = await readCheckpoint(queryRunner, this.schema, this.projection.name);
        if (replaceTables) {
          await lockSchemaForDdl(queryRunner, this.schema);
          for (const table of this.projection.tables) {
            await queryRunner.query(`DROP TABLE IF EXISTS ${context.table(table)} CASCADE`);
          }
          await this.projection.setup(context);
          await saveProjectionVersion(
            queryRunner,
            this.schema,
            this.projection.name,
            this.projection.version,
          );
        }
        await this.projection.reset(context);
        let last: Position | null = null;
        for (;;) {
          const page = await this.store.readAll({
            fromPosition: last ?? 'start',
            maxCount: this.batchSize,
            filter: this.projection.filter,
          });
          if (page.length) {
            await this.projection.apply(page, context);
            last = page[page.length - 1].position;
            eventsReplayed += page.length;
          }
          if (page.length < this.batchSize) break;
        }
        // Everything up to the previous checkpoint was readable before, so the replay covered it:
        // keeping the larger of the two never moves the checkpoint back past a waiter's position.
        const next = last && previous ? maxPosition(last, previous) : (last ?? previous);
        if (next) await saveCheckpoint(queryRunner, this.schema, this.projection.name, next);
        else await deleteCheckpoint(queryRunner, this.schema, this.projection.name);
        return next;
      }),
    );
    const durationMs = Math.round(performance.now() - startedAt);
    this.checkpoint = checkpoint;
    this.logger.log(
      `${this.label}: rebuilt up to ${checkpoint ? formatPosition(checkpoint) : 'start'} ` +
        `(${eventsReplayed} events in ${durationMs} ms)`,
    );
    this.current = { state: 'running', since: new Date() };
    return { eventsReplayed, durationMs, checkpoint };
  }

  /** Call inside lock.exclusive(). */
  private async transaction<T>(
    lock: ProjectionLock,
    work: (context: ProjectionContext) => Promise<T>,
  ): Promise<T> {
    const { queryRunner } = lock;
    await queryRunner.startTransaction();
    try {
      const result = await work(projectionContext(queryRunner.manager, this.schema, this.store));
      await queryRunner.commitTransaction();
      return result;
    } catch (error) {
      try {
        await queryRunner.rollbackTransaction();
      } catch (rollbackError) {
        // The connection is gone, or in a state nothing else should build on: let the lock go.
        lock.abandon(rollbackError);
      }
      throw error;
    }
  }

  private standBy(): void {
    if (this.current.state === 'standby') return;
    this.current = { state: 'standby', since: new Date() };
    this.failures = 0;
  }

  private committed(position: Position): void {
    this.checkpoint = position;
    if (
      this.current.state === 'failing' &&
      this.recoveryPosition &&
      comparePositions(position, this.recoveryPosition) >= 0
    ) {
      this.recovered();
    }
  }

  private recovered(): void {
    if (this.current.state === 'failing') {
      this.logger.log(`${this.label}: recovered after ${this.failures} failed attempts`);
    }
    this.failures = 0;
    this.recoveryPosition = null;
    if (this.current.state !== 'running') this.current = { state: 'running', since: new Date() };
  }

  /**
   * Records a failure and returns how long to wait before retrying: a failing event backs off,
   * while a database outage is retried at the lock interval, so the read models follow again as
   * soon as the database is back rather than up to `maxRetryDelayMs` later.
   */
  private fail(error: unknown): number {
    this.failures += 1;
    const delay = isDatabaseOutage(error)
      ? this.lockRetryIntervalMs
      : Math.min(this.retryDelayMs * 2 ** (this.failures - 1), this.maxRetryDelayMs);
    const failedEvent = error instanceof ProjectionEventError ? error.event : null;
    this.recoveryPosition =
      failedEvent?.position ?? (error instanceof ProjectionBatchError ? error.lastPosition : null);
    this.current = {
      state: 'failing',
      since: this.current.state === 'failing' ? this.current.since : new Date(),
      error: error instanceof Error ? error : new Error(String(error)),
      failedEvent,
      attempts: this.failures,
      retryAt: new Date(Date.now() + delay),
    };
    this.logger.error(
      `${this.label}: ${describe(error)}; retrying from its checkpoint in ${delay} ms ` +
        `(attempt ${this.failures})`,
    );
    return delay;
  }

  private async pause(ms: number): Promise<void> {
    const { signal } = this.interrupt;
    if (this.stopping || this.rebuildRequest) return;
    await sleep(ms, undefined, { signal }).catch(() => undefined);
  }

  private wake(): void {
    this.interrupt.abort();
    this.interrupt = new AbortController();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
