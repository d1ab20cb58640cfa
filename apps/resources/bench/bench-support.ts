/**
 * The benchmark's median and its NATS requester; its settings and the closed- and open-loop
 * drivers are @orgplane/testing's.
 */

export function median(values: readonly number[]): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (!sorted.length) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The part of a NATS connection the requester uses. */
interface Publisher {
  publish(subject: string, payload: Uint8Array, options: { reply: string; headers?: never }): void;
  subscribe(
    subject: string,
    options: {
      callback: (error: Error | null, message: { subject: string; data: Uint8Array }) => void;
    },
  ): unknown;
}

/**
 * Request/reply for the load generator at the least client CPU: one inbox subscription for all
 * requests (as @nats-io's `request()`), but no timer and no deferred per request (a sweep every
 * half second fails those unanswered after `timeoutMs`), and headers encoded once, not per
 * message. What the services receive is the same bytes a ServiceClient sends; what is saved is
 * the load generator's share of the two cores it competes for.
 */
export class NatsRequester {
  private readonly prefix: string;
  private readonly waiting = new Map<number, { resolve(ok: boolean): void; sentAt: number }>();
  private next = 0;
  private readonly sweep: NodeJS.Timeout;
  private readonly options: { reply: string; headers?: never };

  constructor(
    private readonly connection: Publisher,
    /** the headers as they go on the wire (`NATS/1.0\r\n…\r\n\r\n`) */
    encodedHeaders: Uint8Array | null,
    private readonly isAnswer: (data: Uint8Array) => boolean,
    timeoutMs = 5000,
  ) {
    this.prefix = `_INBOX.bench.${Math.random().toString(36).slice(2)}.`;
    const prefixLength = this.prefix.length;
    this.options = {
      reply: '',
      ...(encodedHeaders ? { headers: { encode: () => encodedHeaders } as never } : {}),
    };
    connection.subscribe(`${this.prefix}*`, {
      callback: (error, message) => {
        if (error) return;
        const token = Number(message.subject.slice(prefixLength));
        const waiter = this.waiting.get(token);
        if (!waiter) return;
        this.waiting.delete(token);
        waiter.resolve(this.isAnswer(message.data));
      },
    });
    this.sweep = setInterval(() => {
      const late = performance.now() - timeoutMs;
      for (const [token, waiter] of this.waiting) {
        if (waiter.sentAt < late) {
          this.waiting.delete(token);
          waiter.resolve(false);
        }
      }
    }, 500);
  }

  request(subject: string, payload: Uint8Array): Promise<boolean> {
    const token = this.next++;
    return new Promise<boolean>((resolve) => {
      this.waiting.set(token, { resolve, sentAt: performance.now() });
      this.options.reply = this.prefix + token;
      this.connection.publish(subject, payload, this.options);
    });
  }

  close(): void {
    clearInterval(this.sweep);
    for (const waiter of this.waiting.values()) waiter.resolve(false);
    this.waiting.clear();
  }
}
