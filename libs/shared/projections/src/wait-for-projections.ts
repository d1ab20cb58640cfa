import type { Position } from '@orgplane/event-store';
import { comparePositions, maxPosition } from '@orgplane/event-store';
import { Client, type Notification, type Pool } from 'pg';
import { DataSource } from 'typeorm';
import {
  CHECKPOINT_CHANNEL,
  type CheckpointRow,
  checkpointKey,
  checkpointPosition,
  selectCheckpointsSql,
} from './checkpoints';

/** A fallback for missed notifications (a dropped LISTEN connection, a reconnect under way). */
const POLL_INTERVAL_MS = 25;
/** Do not hammer a database that refuses the LISTEN connection. */
const RECONNECT_INTERVAL_MS = 1000;

export type CheckpointSource = DataSource | Pool;

/**
 * Read-your-writes: resolves true once every named projection of `schema` has committed a
 * checkpoint at or past `position` (the position a write returned), false after `timeoutMs`.
 * Reads the checkpoint table, so the projections may run in any process. Woken by the runners'
 * NOTIFY through one LISTEN connection per source (so per process), with a short poll as a
 * fallback.
 */
export function waitForProjections(
  source: CheckpointSource,
  schema: string,
  names: readonly string[],
  position: Position,
  timeoutMs: number,
): Promise<boolean> {
  let watcher = watchers.get(source);
  if (!watcher) {
    watcher = new CheckpointWatcher(source);
    watchers.set(source, watcher);
  }
  return watcher.wait(schema, names, position, timeoutMs);
}

/**
 * Closes the LISTEN connection opened for this source (pending waits resolve false). Call it at
 * shutdown, before or after the DataSource is destroyed: the connection keeps a process alive.
 */
export async function closeCheckpointWatcher(source: CheckpointSource): Promise<void> {
  const watcher = watchers.get(source);
  watchers.delete(source);
  await watcher?.close();
}

const watchers = new WeakMap<CheckpointSource, CheckpointWatcher>();

/** Looked up on each use: a DataSource destroyed and initialized again has a new pool. */
function poolOf(source: CheckpointSource): Pool {
  if (!(source instanceof DataSource)) return source;
  // TypeORM's Postgres driver keeps its pg pool here; it exists once the DataSource is initialized.
  const pool = (source.driver as unknown as { master?: Pool }).master;
  if (!pool) throw new Error('waitForProjections needs an initialized Postgres DataSource');
  return pool;
}

interface Target {
  key: string;
  schema: string;
  name: string;
}

interface Waiter {
  targets: Target[];
  position: Position;
  timer: NodeJS.Timeout;
  resolve(reached: boolean): void;
}

/**
 * Keeps the newest checkpoint seen for each projection being waited on, and settles waiters as
 * checkpoints pass their positions. Checkpoints only move forward, so a position seen once stays
 * reached: a wait whose position is already known returns without a query, and one notification
 * costs one query however many requests wait on it.
 */
class CheckpointWatcher {
  private readonly known = new Map<string, Position>();
  private readonly waiters = new Set<Waiter>();
  private listener: Client | null = null;
  private lastConnectAttempt = 0;
  private poll: NodeJS.Timeout | null = null;
  private readonly stale = new Map<string, Target>();
  private refreshing: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly source: CheckpointSource) {}

  wait(
    schema: string,
    names: readonly string[],
    position: Position,
    timeoutMs: number,
  ): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    const targets = names.map((name) => ({ key: checkpointKey(schema, name), schema, name }));
    if (this.reached(targets, position)) return Promise.resolve(true);
    this.listen();
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        targets,
        position,
        timer: setTimeout(() => this.settle(waiter, false), timeoutMs),
        resolve,
      };
      this.waiters.add(waiter);
      this.poll ??= setInterval(() => this.onPoll(), POLL_INTERVAL_MS);
      this.refresh(targets);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters) this.settle(waiter, false);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
  }

  private reached(targets: readonly Target[], position: Position): boolean {
    return targets.every((target) => {
      const checkpoint = this.known.get(target.key);
      return checkpoint !== undefined && comparePositions(checkpoint, position) >= 0;
    });
  }

  private settle(waiter: Waiter, reached: boolean): void {
    if (!this.waiters.delete(waiter)) return;
    clearTimeout(waiter.timer);
    waiter.resolve(reached);
    if (!this.waiters.size && this.poll) {
      clearInterval(this.poll);
      this.poll = null;
    }
  }

  private onPoll(): void {
    this.listen();
    for (const waiter of this.waiters) this.refresh(waiter.targets);
  }

  private onNotification(message: Notification): void {
    const key = message.payload;
    for (const waiter of this.waiters) {
      const target = waiter.targets.find((candidate) => candidate.key === key);
      if (target) return this.refresh([target]);
    }
  }

  /** Re-reads these checkpoints; requests made while a read is under way join the next one. */
  private refresh(targets: readonly Target[]): void {
    for (const target of targets) this.stale.set(target.key, target);
    this.refreshing ??= this.readStale().finally(() => (this.refreshing = null));
  }

  private async readStale(): Promise<void> {
    while (this.stale.size) {
      const bySchema = new Map<string, string[]>();
      for (const { schema, name } of this.stale.values()) {
        bySchema.set(schema, [...(bySchema.get(schema) ?? []), name]);
      }
      this.stale.clear();
      await Promise.all(
        [...bySchema].map(([schema, names]) => this.readCheckpoints(schema, names)),
      );
      for (const waiter of this.waiters) {
        if (this.reached(waiter.targets, waiter.position)) this.settle(waiter, true);
      }
    }
  }

  private async readCheckpoints(schema: string, names: string[]): Promise<void> {
    let rows: CheckpointRow[];
    try {
      ({ rows } = await poolOf(this.source).query<CheckpointRow>(selectCheckpointsSql(schema), [
        names,
      ]));
    } catch {
      // Not set up yet (no table) means nothing reached; any other error, the next poll retries.
      return;
    }
    for (const row of rows) {
      const key = checkpointKey(schema, row.name);
      const seen = this.known.get(key);
      const position = checkpointPosition(row);
      this.known.set(key, seen ? maxPosition(seen, position) : position);
    }
  }

  /** Opens the LISTEN connection if there is none, outside the pool so it takes no pool slot. */
  private listen(): void {
    if (
      this.listener ||
      this.closed ||
      Date.now() - this.lastConnectAttempt < RECONNECT_INTERVAL_MS
    ) {
      return;
    }
    this.lastConnectAttempt = Date.now();
    let listener: Client;
    try {
      listener = new Client(poolOf(this.source).options);
    } catch {
      return; // a DataSource being re-initialized: the next poll tries again
    }
    this.listener = listener;
    const drop = () => {
      if (this.listener === listener) this.listener = null;
      listener.end().catch(() => undefined);
    };
    listener.on('notification', (message) => this.onNotification(message));
    listener.on('error', drop);
    listener.on('end', drop);
    listener
      .connect()
      .then(() => listener.query(`LISTEN ${CHECKPOINT_CHANNEL}`))
      .then(() => {
        // Checkpoints that moved while the connection was being set up were not notified here.
        for (const waiter of this.waiters) this.refresh(waiter.targets);
      })
      .catch(drop);
  }
}
