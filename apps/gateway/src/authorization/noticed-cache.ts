import { comparePositions, maxPosition, type Position } from '@orgplane/event-store';
import type { RequestContext } from '@orgplane/messaging';
import { systemClock, type Clock } from '@orgplane/util';

/** Reads a key's value from the service that owns it, no older than `context.minPosition`. */
export type Load<Value> = (key: string, context: RequestContext) => Promise<Value>;

export interface NoticedCacheOptions<Value> {
  /**
   * How long a value stays without a notice about it: the safety net for a notice that never came
   * (the service crashed between its write and its notice).
   */
  ttlMs: (value: Value) => number;
  /** keys kept at most; the least recently loaded go first */
  maxEntries: number;
  /**
   * A miss shares a load in flight only while that load is younger than this; past it the miss
   * loads anew. Default 500 ms.
   */
  shareLoadsWithinMs?: number;
  clock?: Clock;
}

/**
 * Loads answer in milliseconds. One pending for longer likely went to an instance that died with
 * it, and would fail every request that joined it when its timeout ran out: a request sent
 * seconds after the death, with a live instance ready, would fail as if sent at its moment.
 */
const DEFAULT_SHARE_LOADS_WITHIN_MS = 500;

interface Loading<Value> {
  promise: Promise<Value>;
  startedAt: number;
  generation: number;
  epoch: number;
  minPosition: Position | undefined;
}

interface Entry<Value> {
  value: Value;
  expiresAt: number;
  /** the position the load was asked to reach, if any */
  loadedAt: Position | undefined;
}

/**
 * Values another service owns, kept in memory so the hot path costs no round trip, and forgotten
 * when that service broadcasts a change notice about them (`forget`) or when notices may have
 * been missed (`clear`, on a NATS reconnect). A load that started before a notice or a clear is
 * answered but not kept: it may hold what the notice announced as gone. A notice may carry the
 * position of the write it announces; the key's next load then reads no older than that.
 *
 * A request that asks for a position (`X-Consistency-Position`, from a write the client made) is
 * not answered from an entry loaded short of it: the write's notice travels on another connection
 * than its reply and may reach this instance after the client's next request.
 */
export class NoticedCache<Value> {
  private readonly entries = new Map<string, Entry<Value>>();
  /** bumped by each notice about a key, so a load that started before it is not kept after it */
  private readonly generations = new Map<string, number>();
  /** bumped by each clear, for the same reason across every key */
  private epoch = 0;
  /** the position a key's next load must reach: the newest notice's */
  private readonly minPositions = new Map<string, Position>();
  /**
   * Loads in flight: concurrent misses of one key share one (under load, an expired hot key
   * would otherwise be asked for once per request in flight), while it is young.
   */
  private readonly loading = new Map<string, Loading<Value>>();
  private readonly shareLoadsWithinMs: number;
  private readonly clock: Clock;

  constructor(
    private readonly load: Load<Value>,
    private readonly options: NoticedCacheOptions<Value>,
  ) {
    this.clock = options.clock ?? systemClock;
    this.shareLoadsWithinMs = options.shareLoadsWithinMs ?? DEFAULT_SHARE_LOADS_WITHIN_MS;
  }

  async get(key: string, context: RequestContext): Promise<Value> {
    const cached = this.entries.get(key);
    if (cached && this.now() < cached.expiresAt && !isAfter(context.minPosition, cached.loadedAt)) {
      return cached.value;
    }

    const generation = this.generations.get(key) ?? 0;
    const epoch = this.epoch;
    const minPosition = newest(context.minPosition, this.minPositions.get(key));
    const pending = this.loading.get(key);
    if (
      pending &&
      pending.generation === generation &&
      pending.epoch === epoch &&
      this.now() - pending.startedAt < this.shareLoadsWithinMs &&
      !isAfter(minPosition, pending.minPosition)
    ) {
      return pending.promise;
    }
    const promise = this.loadAndKeep(key, { ...context, minPosition }, generation, epoch);
    this.loading.set(key, { promise, startedAt: this.now(), generation, epoch, minPosition });
    try {
      return await promise;
    } finally {
      if (this.loading.get(key)?.promise === promise) this.loading.delete(key);
    }
  }

  private async loadAndKeep(
    key: string,
    context: RequestContext,
    generation: number,
    epoch: number,
  ): Promise<Value> {
    const value = await this.load(key, context);
    if ((this.generations.get(key) ?? 0) === generation && this.epoch === epoch) {
      this.remember(key, value, context.minPosition);
      this.generations.delete(key);
      this.minPositions.delete(key);
    }
    return value;
  }

  /**
   * The notice's bookkeeping lasts until the key's next load completes. Notices about keys that
   * never come back are dropped oldest first past `maxEntries`; at worst that keeps one load which
   * started before its notice, until its TTL.
   */
  forget(key: string, position?: Position): void {
    this.entries.delete(key);
    const generation = (this.generations.get(key) ?? 0) + 1;
    this.generations.delete(key);
    this.generations.set(key, generation);
    if (position) {
      this.minPositions.set(key, newest(this.minPositions.get(key), position) ?? position);
    }
    dropOldest(this.generations, this.options.maxEntries);
    dropOldest(this.minPositions, this.options.maxEntries);
  }

  clear(): void {
    this.entries.clear();
    this.epoch += 1;
  }

  private remember(key: string, value: Value, loadedAt: Position | undefined): void {
    this.entries.delete(key);
    this.entries.set(key, {
      value,
      expiresAt: this.now() + this.options.ttlMs(value),
      loadedAt,
    });
    dropOldest(this.entries, this.options.maxEntries);
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}

/** Maps iterate in insertion order: the first keys are the oldest. */
function dropOldest(map: Map<string, unknown>, maxSize: number): void {
  for (const key of map.keys()) {
    if (map.size <= maxSize) return;
    map.delete(key);
  }
}

/** Whether `wanted` is a position past `reached` (no position reached counts as none). */
function isAfter(wanted: Position | undefined, reached: Position | undefined): boolean {
  return wanted !== undefined && (reached === undefined || comparePositions(wanted, reached) > 0);
}

function newest(a: Position | undefined, b: Position | undefined): Position | undefined {
  if (!a) return b;
  if (!b) return a;
  return maxPosition(a, b);
}
