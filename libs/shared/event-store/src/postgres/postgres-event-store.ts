import { Pool, type ClientConfig } from 'pg';
import { keepClientErrorsFromCrashing } from './client-errors';
import { StreamDeletedError, StreamNotFoundError } from '../errors';
import type {
  AppendResult,
  Direction,
  EventBatchHandler,
  EventStore,
  ExpectedRevision,
  NewEvent,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamMetadata,
  Subscription,
  SubscriptionOptions,
} from '../event-store.port';
import { START } from '../position';
import { AFTER_EVERYTHING, AllStreamReader, type SettleTiming } from './all-stream-reader';
import { AppendWaker } from './append-waker';
import { appendPayload, expectationParameters, expectedRevisionOf } from './append-request';
import { CatchUpSubscription, type CatchUpTiming } from './catch-up-subscription';
import { toRecordedEvent, type EventRow } from './event-rows';
import { changeStream } from './postgres-errors';
import { appendChannel, migrateSchema, validateSchemaName } from './postgres-schema';
import { preparedStatement } from './prepared-statement';
import { metadataParameters, toStreamMetadata, type StreamMetadataRow } from './stream-metadata';
import { streamStatements, type StreamStatements } from './stream-statements';

export interface PostgresEventStoreOptions {
  /** where to connect; give this or `pool` */
  connectionString?: string;
  /** a pool the caller owns: the store neither configures nor ends it */
  pool?: Pool;
  /** the schema the store creates and uses; default `eventstore` */
  schema?: string;
  /** connections of the pool the store opens itself; default 10 */
  poolSize?: number;
  /** ends a session left idle inside a transaction, which would stall every `$all` reader */
  idleInTransactionSessionTimeoutMs?: number;
  /** longest time a subscription sleeps without a wake-up before it reads again; default 250 */
  pollIntervalMs?: number;
  /**
   * Least time between two subscription reads that found no full page, and how soon readers look
   * again when committed events wait behind an older open transaction; default 2. Every write
   * waits it out before a projection sees it: at 10, write-to-visible measured 11 ms p50 (at 2,
   * 2 ms), and at 2 a subscription under a steady 200 appends/s reads 1.5 times as often.
   */
  settleDelayMs?: number;
  /**
   * At most one cross-process NOTIFY per this many milliseconds; default 5. An append that
   * carried none wakes other processes' subscriptions up to about twice this later (see
   * AppendWaker): at 25, a projection in another process saw a write after 49 ms p50. A NOTIFY on
   * every append halved the throughput of 16 concurrent writers; one per 5 ms measured the same
   * as one per 25 ms.
   */
  notifyIntervalMs?: number;
  /**
   * How long `readAll`, `headPosition` and subscriptions from the end wait for transactions
   * older than an already committed one to finish, so they account for every write committed
   * before the call; default 5000. Once it passes they go by what is final (a long transaction
   * elsewhere in the cluster can hold that back).
   */
  readYourWritesTimeoutMs?: number;
  /** default batch size of subscriptions; default 1000 */
  subscriptionBatchSize?: number;
}

type Settings = Required<Omit<PostgresEventStoreOptions, 'connectionString' | 'pool'>>;

const DEFAULTS: Settings = {
  schema: 'eventstore',
  poolSize: 10,
  idleInTransactionSessionTimeoutMs: 30_000,
  pollIntervalMs: 250,
  settleDelayMs: 2,
  notifyIntervalMs: 5,
  readYourWritesTimeoutMs: 5_000,
  subscriptionBatchSize: 1_000,
};

function settingsOf(options: PostgresEventStoreOptions): Settings {
  const settings = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as (keyof Settings)[]) {
    const value = options[key];
    if (value !== undefined) Object.assign(settings, { [key]: value });
  }
  return settings;
}

interface AppendRow {
  outcome: 'appended' | 'idempotent';
  next_expected_revision: string;
  commit_position: string | null;
  prepare_position: string | null;
}

interface StreamEventRow extends EventRow {
  state: StreamMetadataRow['state'];
  stream_last_revision: string;
}

const MAX_REVISION = 2n ** 63n - 1n;

function checkMaxCount(maxCount: number | undefined): number | null {
  if (maxCount === undefined) return null;
  if (!Number.isSafeInteger(maxCount) || maxCount < 0) {
    throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
  }
  return maxCount;
}

/** Where a stream read starts, inclusive. */
function streamReadStart(from: ReadStreamOptions['fromRevision'], direction: Direction): bigint {
  if (from === undefined) return direction === 'forwards' ? 0n : MAX_REVISION;
  if (from === 'start') return 0n;
  if (from === 'end') return MAX_REVISION;
  return from;
}

/** Where an `$all` read starts, exclusive. */
function allReadStart(from: ReadAllOptions['fromPosition'], direction: Direction): Position {
  if (from === undefined) return direction === 'forwards' ? START : AFTER_EVERYTHING;
  if (from === 'start') return START;
  if (from === 'end') return AFTER_EVERYTHING;
  return from;
}

/**
 * The event store on PostgreSQL. Every append is one autocommit call of a PL/pgSQL function
 * that checks the expected revision under the stream's row lock; `$all` is ordered by
 * (transaction id, sequence) and read only below the oldest running transaction, so a late
 * commit is never skipped. See postgres-schema.ts for the tables and functions.
 *
 * Stream metadata (max count, max age, truncate before) and soft deletes hide events from
 * `readStream` only. `readAll` and subscriptions still return them, as EventStoreDB does until
 * a scavenge removes them: projections see every event ever committed, in one order.
 */
export class PostgresEventStore implements EventStore {
  private readonly statements: StreamStatements;
  private readonly reader: AllStreamReader;
  private readonly subscriptions = new Set<CatchUpSubscription>();
  private closed = false;

  private constructor(
    private readonly pool: Pool,
    private readonly ownsPool: boolean,
    private readonly waker: AppendWaker,
    schema: string,
    private readonly settings: Settings,
  ) {
    this.statements = streamStatements(schema);
    this.reader = new AllStreamReader(pool, schema);
  }

  /** Connects, creates or upgrades the schema (safe when several processes start at once). */
  static async create(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const settings = settingsOf(options);
    const schema = validateSchemaName(settings.schema);
    if (!options.pool === !options.connectionString) {
      throw new TypeError('PostgresEventStore needs either a connectionString or a pool');
    }
    const sessionSettings = {
      idle_in_transaction_session_timeout: settings.idleInTransactionSessionTimeoutMs,
    };
    const pool =
      options.pool ??
      new Pool({
        connectionString: options.connectionString,
        max: settings.poolSize,
        ...sessionSettings,
      });
    if (!options.pool) {
      // An idle connection that breaks is dropped by the pool and replaced on next use; without a
      // listener its error event would crash the process.
      pool.on('error', () => undefined);
      pool.on('connect', keepClientErrorsFromCrashing);
    }
    try {
      await migrateSchema(pool, schema);
    } catch (error) {
      if (!options.pool) await pool.end();
      throw error;
    }
    const listenerConfig: ClientConfig = {
      ...(options.pool ? options.pool.options : { connectionString: options.connectionString }),
      ...sessionSettings,
    };
    const waker = new AppendWaker({
      pool,
      listenerConfig,
      channel: appendChannel(schema),
      notifyIntervalMs: settings.notifyIntervalMs,
      reconnectDelayMs: settings.pollIntervalMs,
    });
    return new PostgresEventStore(pool, !options.pool, waker, schema, settings);
  }

  async append(
    streamName: string,
    events: NewEvent[],
    options?: { expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult> {
    const expected = expectedRevisionOf(options);
    const notification = events.length > 0 ? this.waker.claimNotification() : null;
    const values = [
      streamName,
      ...expectationParameters(expected),
      appendPayload(events),
      notification?.channel ?? null,
    ];
    const { rows } = await changeStream(streamName, expected, () =>
      this.pool.query<AppendRow>(preparedStatement(this.statements.append, values)),
    );
    const [row] = rows;
    if (row.outcome === 'appended' && events.length > 0) this.waker.appended(notification);
    return {
      nextExpectedRevision: BigInt(row.next_expected_revision),
      position:
        row.commit_position === null || row.prepare_position === null
          ? START
          : { commit: BigInt(row.commit_position), prepare: BigInt(row.prepare_position) },
    };
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const direction = options.direction ?? 'forwards';
    const { rows } = await this.pool.query<StreamEventRow>(
      preparedStatement(this.statements.readStream[direction], [
        streamName,
        streamReadStart(options.fromRevision, direction).toString(),
        checkMaxCount(options.maxCount),
      ]),
    );
    const [first] = rows;
    if (first?.state === 'tombstoned') throw new StreamDeletedError(streamName);
    if (!first || first.state === 'deleted' || BigInt(first.stream_last_revision) < 0n) {
      throw new StreamNotFoundError(streamName);
    }
    return first.event_id === null ? [] : rows.map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const direction = options.direction ?? 'forwards';
    const page = await this.reader.readSettledPage(
      {
        direction,
        from: allReadStart(options.fromPosition, direction),
        to: options.toPosition,
        filter: options.filter,
        limit: checkMaxCount(options.maxCount),
      },
      this.settleTiming,
    );
    return page.events;
  }

  async headPosition(): Promise<Position | null> {
    const page = await this.reader.readSettledPage(
      {
        direction: 'backwards',
        from: AFTER_EVERYTHING,
        limit: 0,
      },
      this.settleTiming,
    );
    return page.stableHead;
  }

  subscribeToAll(handler: EventBatchHandler, options: SubscriptionOptions = {}): Subscription {
    if (this.closed) throw new Error('The event store is closed');
    const timing: CatchUpTiming = {
      pollIntervalMs: this.settings.pollIntervalMs,
      settleDelayMs: this.settings.settleDelayMs,
      defaultBatchSize: this.settings.subscriptionBatchSize,
      settle: this.settleTiming,
    };
    const subscription = new CatchUpSubscription(this.reader, this.waker, handler, options, timing);
    this.subscriptions.add(subscription);
    const forget = () => this.subscriptions.delete(subscription);
    subscription.done.then(forget, forget);
    return subscription;
  }

  async deleteStream(
    streamName: string,
    options?: { expectedRevision?: ExpectedRevision },
  ): Promise<void> {
    await this.removeStream(streamName, expectedRevisionOf(options), false);
  }

  async tombstoneStream(
    streamName: string,
    options?: { expectedRevision?: ExpectedRevision },
  ): Promise<void> {
    await this.removeStream(streamName, expectedRevisionOf(options), true);
  }

  async setStreamMetadata(streamName: string, metadata: StreamMetadata): Promise<void> {
    const { rowCount } = await this.pool.query(
      preparedStatement(this.statements.setMetadata, [streamName, ...metadataParameters(metadata)]),
    );
    if (rowCount === 0) throw new StreamDeletedError(streamName);
  }

  async getStreamMetadata(streamName: string): Promise<StreamMetadata> {
    const { rows } = await this.pool.query<StreamMetadataRow>(
      preparedStatement(this.statements.getMetadata, [streamName]),
    );
    const [row] = rows;
    if (!row) return {};
    if (row.state === 'tombstoned') throw new StreamDeletedError(streamName);
    return toStreamMetadata(row);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    await this.waker.close();
    if (this.ownsPool) await this.pool.end();
  }

  private async removeStream(
    streamName: string,
    expected: ExpectedRevision,
    tombstone: boolean,
  ): Promise<void> {
    const values = [streamName, ...expectationParameters(expected), tombstone];
    await changeStream(streamName, expected, () =>
      this.pool.query(preparedStatement(this.statements.deleteStream, values)),
    );
  }

  private get settleTiming(): SettleTiming {
    return {
      timeoutMs: this.settings.readYourWritesTimeoutMs,
      retryDelayMs: this.settings.settleDelayMs,
    };
  }
}
