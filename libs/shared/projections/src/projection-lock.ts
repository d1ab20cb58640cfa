import { createHash } from 'node:crypto';
import type { DataSource, QueryRunner } from 'typeorm';

/**
 * The advisory lock key of a projection: 64 bits of a hash of `<schema>.<name>`. Exported so an
 * operator can find the active instance: `pg_locks` shows it as classid (high 32 bits) and objid.
 */
export function projectionLockKey(schema: string, name: string): bigint {
  return hashKey(`orgplane.projection:${schema}.${name}`);
}

/** Serializes DDL in one schema: concurrent `CREATE ... IF NOT EXISTS` can still collide. */
export function schemaDdlLockKey(schema: string): bigint {
  return hashKey(`orgplane.projection-ddl:${schema}`);
}

function hashKey(text: string): bigint {
  return createHash('sha256').update(text).digest().readBigInt64BE(0);
}

export interface ProjectionLockOptions {
  heartbeatIntervalMs: number;
  idleInTransactionTimeoutMs: number;
}

/**
 * A connection holding a projection's session-level advisory lock. Every write of the active
 * runner goes through this connection, so a lost connection loses the lock and any unfinished
 * transaction together: a runner that lost the lock cannot commit behind its successor's back.
 */
export class ProjectionLock {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly heartbeat: NodeJS.Timeout;
  private lostError: Error | null = null;
  private readonly lostListeners = new Set<(error: Error) => void>();

  private constructor(
    readonly queryRunner: QueryRunner,
    heartbeatIntervalMs: number,
  ) {
    // A terminated backend only shows when the connection is next used: probe it while idle, so
    // a runner that lost its lock notices (and says so in its status) without waiting for events.
    this.heartbeat = setInterval(() => {
      this.exclusive(() => this.queryRunner.query('SELECT 1')).catch((error: unknown) =>
        this.abandon(error),
      );
    }, heartbeatIntervalMs);
  }

  /**
   * Returns null when another session holds the lock. Once it is held, the session is set up for
   * the runner's work:
   * - the server ends it (releasing the lock) when a transaction idles longer than
   *   `idleInTransactionTimeoutMs`: a runner stuck mid-transaction, which also holds back every
   *   `$all` reader, is fenced off;
   * - commits do not wait for the WAL flush (`synchronous_commit = off`). A read model and its
   *   checkpoint commit together, so a server crash can only lose both for the last moments,
   *   and the runner replays those events from the store; in exchange a commit no longer waits
   *   for a disk busy with the event store's own writes, which is most of write-to-visible.
   */
  static async tryAcquire(
    dataSource: DataSource,
    key: bigint,
    { heartbeatIntervalMs, idleInTransactionTimeoutMs }: ProjectionLockOptions,
  ): Promise<ProjectionLock | null> {
    const queryRunner = dataSource.createQueryRunner();
    try {
      const [{ locked }] = (await queryRunner.query(
        `SELECT locked,
                locked
                  AND set_config('idle_in_transaction_session_timeout', $2, false) IS NOT NULL
                  AND set_config('synchronous_commit', 'off', false) IS NOT NULL
           FROM (SELECT pg_try_advisory_lock($1::bigint) AS locked) attempt`,
        [key.toString(), `${idleInTransactionTimeoutMs}ms`],
      )) as { locked: boolean }[];
      if (locked) return new ProjectionLock(queryRunner, heartbeatIntervalMs);
    } catch (error) {
      await queryRunner.release();
      throw error;
    }
    await queryRunner.release();
    return null;
  }

  /** Runs `work` when nothing else uses the connection. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(() => {
      if (this.lostError) throw this.lostError;
      return work();
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Calls `listener` once the connection is found dead (at once if it already is). */
  onLost(listener: (error: Error) => void): () => void {
    if (this.lostError) {
      listener(this.lostError);
      return () => undefined;
    }
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** After a failure: is the connection, and so the lock, still ours? */
  async isHeld(): Promise<boolean> {
    if (this.lostError || this.queryRunner.isReleased) return false;
    try {
      await this.exclusive(() => this.queryRunner.query('SELECT 1'));
      return true;
    } catch (error) {
      this.abandon(error);
      return false;
    }
  }

  async release(): Promise<void> {
    clearInterval(this.heartbeat);
    // Not through exclusive(): even after a failed probe, a live connection must be unlocked.
    await this.queue;
    try {
      if (this.queryRunner.isTransactionActive) await this.queryRunner.rollbackTransaction();
      // The connection goes back to the pool: it must not keep the lock, nor the settings, there.
      await this.queryRunner.query('RESET idle_in_transaction_session_timeout');
      await this.queryRunner.query('RESET synchronous_commit');
      await this.queryRunner.query('SELECT pg_advisory_unlock_all()');
    } catch {
      // The connection is dead, and the server dropped the lock with it.
    }
    await this.queryRunner.release();
  }

  /** Treats the connection as lost: nothing more runs on it, and release() lets it go. */
  abandon(error: unknown): void {
    if (this.lostError) return;
    this.lostError = error instanceof Error ? error : new Error(String(error));
    for (const listener of this.lostListeners) listener(this.lostError);
    this.lostListeners.clear();
  }
}
