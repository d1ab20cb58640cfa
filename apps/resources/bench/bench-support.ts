/**
 * The benchmark's load generator and settings. The closed- and open-loop drivers are those of
 * apps/gateway/bench/load-generator.ts (an app imports no other app), driving NATS requests.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** The benches' database; each run works in fresh schemas of it and drops them at the end. */
export function benchDatabaseUrl(): string {
  return process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/orgplane_bench';
}

export function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

export function positiveIntegers(name: string, fallback: number[]): number[] {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const values = text.split(',').map((part) => Number(part.trim()));
  if (values.some((value) => !Number.isInteger(value) || value < 1)) {
    throw new Error(`${name} must be a comma-separated list of positive integers`);
  }
  return values;
}

export function median(values: readonly number[]): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (!sorted.length) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A way to send one request: true when it got the answer it should (an HTTP 200, a reply). */
export type Send = () => Promise<boolean>;

export interface RunResult {
  /** completed requests per second over the measured window */
  rate: number;
  /** latencies of the successful requests in the measured window, ms */
  latencies: number[];
  completed: number;
  errors: number;
}

export interface OpenLoopResult extends RunResult {
  /** the rate asked for */
  targetRate: number;
  /** from the moment each request was due: what a client sending on schedule waits */
  latencies: number[];
  /** from the moment each request was really sent (excludes waiting for a free connection) */
  serviceLatencies: number[];
  /** requests due before the end that were never sent: the rate was not sustained */
  unsent: number;
}

/**
 * Closed loop: each of `senders` sends its next request as soon as its last one is answered.
 * Requests started during the warm-up are not counted.
 */
export async function closedLoop(
  senders: readonly Send[],
  warmUpMs: number,
  durationMs: number,
  onMeasureStart: () => void = () => undefined,
): Promise<RunResult> {
  const startedAt = performance.now();
  const measureFrom = startedAt + warmUpMs;
  const endAt = measureFrom + durationMs;
  const latencies: number[] = [];
  let errors = 0;
  let lastEnd = measureFrom;
  const warmUp = sleep(warmUpMs).then(onMeasureStart);
  await Promise.all(
    senders.map(async (send) => {
      for (;;) {
        const start = performance.now();
        if (start >= endAt) return;
        const ok = await send();
        const end = performance.now();
        if (start < measureFrom) continue;
        if (ok) latencies.push(end - start);
        else errors += 1;
        if (end > lastEnd) lastEnd = end;
      }
    }),
  );
  await warmUp;
  const completed = latencies.length + errors;
  return { rate: completed / ((lastEnd - measureFrom) / 1000), latencies, completed, errors };
}

/**
 * Open loop: requests are due at a fixed rate whatever the server does, each sent by a free
 * sender of the pool (one request in flight per sender: an HTTP connection, or a slot of NATS
 * requests), waiting for one if all are busy; each latency is counted from the moment the request
 * was due, not from when it could be sent (no coordinated omission: a stalled server makes the
 * waiting requests late, as it would real clients). Requests still waiting for a sender `drainMs`
 * after the last was due are counted as `unsent`.
 */
export async function openLoop(
  senders: readonly Send[],
  ratePerSecond: number,
  warmUpMs: number,
  durationMs: number,
  onMeasureStart: () => void = () => undefined,
  drainMs = 5000,
): Promise<OpenLoopResult> {
  const interval = 1000 / ratePerSecond;
  const firstDueAt = performance.now() + 1;
  const measureFrom = firstDueAt + warmUpMs;
  const total = Math.floor((warmUpMs + durationMs) / interval);
  /** lowered to what was sent when the drain time is up */
  let limit = total;
  const idle = [...senders];
  const latencies: number[] = [];
  const serviceLatencies: number[] = [];
  let errors = 0;
  let next = 0;
  let inFlight = 0;
  let lastEnd = measureFrom;
  let measuring = false;
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  let timer: NodeJS.Timeout | undefined;

  /** wakes up when the next request is due (a response also wakes the pump up) */
  const schedule = () => {
    if (timer || next >= limit) return;
    const wait = Math.max(0, firstDueAt + next * interval - performance.now());
    timer = setTimeout(() => {
      timer = undefined;
      pump();
    }, wait);
  };
  const pump = () => {
    const now = performance.now();
    if (!measuring && now >= measureFrom) {
      measuring = true;
      onMeasureStart();
    }
    while (next < limit && idle.length > 0 && firstDueAt + next * interval <= now) {
      const send = idle.pop()!;
      const dueAt = firstDueAt + next * interval;
      next += 1;
      inFlight += 1;
      const sentAt = performance.now();
      void send().then((ok) => {
        const end = performance.now();
        inFlight -= 1;
        idle.push(send);
        if (dueAt >= measureFrom) {
          if (ok) {
            latencies.push(end - dueAt);
            serviceLatencies.push(end - sentAt);
          } else errors += 1;
          if (end > lastEnd) lastEnd = end;
        }
        pump();
      });
    }
    if (next === limit && inFlight === 0) finished();
    else schedule();
  };
  pump();
  await Promise.race([done, sleep(warmUpMs + durationMs + drainMs)]);
  const unsent = total - next;
  limit = next;
  clearTimeout(timer);
  timer = undefined;
  pump();
  await done;
  const completed = latencies.length + errors;
  const windowMs = Math.max(lastEnd - measureFrom, durationMs);
  return {
    targetRate: ratePerSecond,
    rate: completed / (windowMs / 1000),
    latencies,
    serviceLatencies,
    completed,
    errors,
    unsent,
  };
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
