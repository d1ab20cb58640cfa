import { Client, type ClientConfig, type Pool } from 'pg';

export interface AppendWakerOptions {
  pool: Pool;
  /** how to open the dedicated LISTEN connection */
  listenerConfig: ClientConfig;
  channel: string;
  /** at most one NOTIFY per this many milliseconds; appends in between share one */
  notifyIntervalMs: number;
  /** wait at least this long before opening the listener again after it failed */
  reconnectDelayMs: number;
}

/** Handed to an append that carries the NOTIFY; see `claimNotification`. */
export interface NotificationClaim {
  channel: string;
  /** the appends it covers: every one that had finished when it was claimed */
  covers: number;
}

/**
 * Wakes catch-up subscriptions when something was appended: those of this store at once, those
 * of other processes through LISTEN/NOTIFY. Either way only a hint; subscriptions poll as well.
 *
 * PostgreSQL serialises the commits of all notifying transactions under one database-wide lock,
 * so a NOTIFY in every append would undo group commit. Instead at most one append per interval
 * carries it (no extra round trip), and it covers every append that had finished before it was
 * sent. Appends left uncovered when a burst ends get one separate NOTIFY a little later.
 */
export class AppendWaker {
  private appendCount = 0;
  private readonly sleepers = new Set<() => void>();
  private listener: Client | null = null;
  private listening: Promise<void> | null = null;
  private lastListenFailureAt = -Infinity;
  private lastNotifyAt = -Infinity;
  /** numbers finished appends that carried no NOTIFY */
  private uncoveredAppends = 0;
  private coveredAppends = 0;
  private trailingNotify: NodeJS.Timeout | null = null;
  private notifyInFlight: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly options: AppendWakerOptions) {}

  /** How many appends this process has seen, locally or by notification; grows on every one. */
  get appendsSeen(): number {
    return this.appendCount;
  }

  /** Before an append: whether it should carry the NOTIFY (null: one went out very recently). */
  claimNotification(): NotificationClaim | null {
    const now = performance.now();
    if (this.closed || now - this.lastNotifyAt < this.options.notifyIntervalMs) return null;
    this.lastNotifyAt = now;
    return { channel: this.options.channel, covers: this.uncoveredAppends };
  }

  /** After an append by this store wrote events; `claim` is what it carried, if anything. */
  appended(claim: NotificationClaim | null): void {
    this.wakeSleepers();
    if (claim) {
      this.coveredAppends = Math.max(this.coveredAppends, claim.covers);
      return;
    }
    this.uncoveredAppends += 1;
    this.scheduleTrailingNotify();
  }

  /**
   * Resolves once an append newer than `appendsSeen` was seen (at once if one already was),
   * after `timeoutMs`, or when `signal` aborts.
   */
  sleep(appendsSeen: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.appendCount !== appendsSeen || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', wake);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      signal.addEventListener('abort', wake);
      this.sleepers.add(wake);
    });
  }

  /**
   * Opens the shared LISTEN connection unless it is open. Never throws: while it cannot be
   * opened, subscriptions rely on polling, and a later call tries again.
   */
  async listen(): Promise<void> {
    if (this.closed || this.listener) return;
    if (this.listening) return this.listening;
    if (performance.now() - this.lastListenFailureAt < this.options.reconnectDelayMs) return;
    this.listening = this.openListener().finally(() => (this.listening = null));
    return this.listening;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.trailingNotify) clearTimeout(this.trailingNotify);
    await this.listening;
    await this.notifyInFlight;
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
  }

  private wakeSleepers(): void {
    this.appendCount += 1;
    for (const wake of [...this.sleepers]) wake();
  }

  private async openListener(): Promise<void> {
    const client = new Client(this.options.listenerConfig);
    const dropListener = () => {
      if (this.listener === client) this.listener = null;
      this.lastListenFailureAt = performance.now();
      void client.end().catch(() => undefined);
    };
    client.on('error', dropListener);
    client.on('end', dropListener);
    client.on('notification', () => this.wakeSleepers());
    try {
      await client.connect();
      await client.query(`LISTEN "${this.options.channel}"`);
      if (this.closed) {
        await client.end();
        return;
      }
      this.listener = client;
    } catch {
      dropListener();
    }
  }

  /**
   * Sends a separate NOTIFY for uncovered appends once appends stop carrying one: while they keep
   * coming, the next to claim covers the earlier ones, so a steady load needs no extra query.
   */
  private scheduleTrailingNotify(): void {
    if (this.closed || this.trailingNotify || this.notifyInFlight) return;
    const quietFor = 2 * this.options.notifyIntervalMs;
    const dueIn = Math.max(this.lastNotifyAt + quietFor - performance.now(), 0);
    this.trailingNotify = setTimeout(() => {
      this.trailingNotify = null;
      if (this.uncoveredAppends <= this.coveredAppends) return;
      if (performance.now() - this.lastNotifyAt < quietFor) this.scheduleTrailingNotify();
      else this.sendTrailingNotify();
    }, dueIn);
  }

  private sendTrailingNotify(): void {
    if (this.closed || this.uncoveredAppends <= this.coveredAppends) return;
    const covers = this.uncoveredAppends;
    this.lastNotifyAt = performance.now();
    this.notifyInFlight = this.options.pool
      .query('SELECT pg_notify($1, $2)', [this.options.channel, ''])
      .then(
        () => {
          this.coveredAppends = Math.max(this.coveredAppends, covers);
        },
        // a lost hint only delays other processes' subscriptions until their next poll
        () => undefined,
      )
      .finally(() => {
        this.notifyInFlight = null;
        if (this.uncoveredAppends > this.coveredAppends) this.scheduleTrailingNotify();
      });
  }
}
