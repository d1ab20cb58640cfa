import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type { ApiKeysUsedMessage } from '@orgplane/contracts';
import type { Clock } from '@orgplane/util';

const MINUTE_MS = 60_000;
/** the bound apiKeysUsedMessageSchema puts on one message */
const MAX_KEYS_PER_MESSAGE = 10_000;

/**
 * Reports which API keys were used, so the keys service keeps `lastUsedAt` to the minute without
 * an event (or a message) per request: each key is reported at most once per minute by each
 * gateway instance, in batches sent every `flushIntervalMs` and on shutdown. A report lost with a
 * crashed instance costs a `lastUsedAt` that is a minute or so behind, which is all it promises.
 */
export class ApiKeyUsage implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private minute = Number.NEGATIVE_INFINITY;
  private readonly reportedThisMinute = new Set<string>();
  /** key ids not sent yet, by the minute (epoch minutes) they were used in */
  private readonly pending = new Map<number, string[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly publish: (message: ApiKeysUsedMessage) => void,
    private readonly clock: Clock,
    private readonly flushIntervalMs: number,
  ) {}

  record(keyId: string): void {
    const minute = Math.floor(this.clock.now().getTime() / MINUTE_MS);
    if (minute !== this.minute) {
      this.minute = minute;
      this.reportedThisMinute.clear();
    }
    if (this.reportedThisMinute.has(keyId)) return;
    this.reportedThisMinute.add(keyId);
    const keyIds = this.pending.get(minute);
    if (keyIds) keyIds.push(keyId);
    else this.pending.set(minute, [keyId]);
  }

  flush(): void {
    for (const [minute, keyIds] of this.pending) {
      const usedAt = new Date(minute * MINUTE_MS).toISOString();
      for (let start = 0; start < keyIds.length; start += MAX_KEYS_PER_MESSAGE) {
        this.publish({ keyIds: keyIds.slice(start, start + MAX_KEYS_PER_MESSAGE), usedAt });
      }
    }
    this.pending.clear();
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.flush(), this.flushIntervalMs);
    this.timer.unref();
  }

  /** Before the NATS connection drains (onApplicationShutdown), so the last batch goes out. */
  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
