/**
 * The load generator of the API-key benchmark: a minimal HTTP/1.1 client on raw keep-alive
 * sockets (one request at a time per connection, no pipelining), and closed- and open-loop
 * drivers that also drive NATS requests. Node's `http` client or `fetch` would cost the shared two
 * cores several times more per request than the servers under test spend on parsing; this one
 * writes a prebuilt request and reads only the status line and the body's length.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface HttpTarget {
  port: number;
  path: string;
  headers: Record<string, string>;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('0\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length: *(\d+)/;
const CHUNKED = /\r\ntransfer-encoding: *chunked/;

/** One keep-alive connection; a request it cannot complete resolves with status 0. */
export class HttpConnection {
  private socket: net.Socket | null = null;
  private buffer: Buffer | null = null;
  private bodyStart = -1;
  private expectedLength = -1;
  private chunked = false;
  private status = 0;
  private waiter: ((status: number) => void) | null = null;
  private readonly request: Buffer;

  constructor(private readonly target: HttpTarget) {
    const headers = Object.entries({ host: `127.0.0.1:${target.port}`, ...target.headers })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    this.request = Buffer.from(`GET ${target.path} HTTP/1.1\r\n${headers}\r\n`, 'latin1');
  }

  async open(): Promise<void> {
    const socket = net.connect({ port: this.target.port, host: '127.0.0.1', noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.socket === socket) this.socket = null;
      this.finish(0);
    });
    this.socket = socket;
  }

  /** Sends the request; resolves with the response's status once all of its body has arrived. */
  async send(): Promise<number> {
    if (!this.socket) await this.open();
    return new Promise<number>((resolve) => {
      this.waiter = resolve;
      this.buffer = null;
      this.bodyStart = -1;
      this.socket!.write(this.request);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private received(chunk: Buffer): void {
    this.buffer = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk;
    const buffer = this.buffer;
    if (this.bodyStart < 0) {
      const end = buffer.indexOf(HEADER_END);
      if (end < 0) return;
      const head = buffer.toString('latin1', 0, end).toLowerCase();
      this.status = Number(head.slice(9, 12));
      this.bodyStart = end + HEADER_END.length;
      this.chunked = CHUNKED.test(head);
      this.expectedLength = Number(CONTENT_LENGTH.exec(head)?.[1] ?? (this.chunked ? -1 : 0));
    }
    const complete = this.chunked
      ? buffer.length - this.bodyStart >= CHUNKED_END.length &&
        buffer.subarray(buffer.length - CHUNKED_END.length).equals(CHUNKED_END)
      : buffer.length - this.bodyStart >= this.expectedLength;
    if (complete) this.finish(this.status);
  }

  private finish(status: number): void {
    const waiter = this.waiter;
    this.waiter = null;
    this.buffer = null;
    waiter?.(status);
  }
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

export async function openConnections(
  target: HttpTarget,
  count: number,
): Promise<HttpConnection[]> {
  const connections = Array.from({ length: count }, () => new HttpConnection(target));
  await Promise.all(connections.map((connection) => connection.open()));
  return connections;
}

export function httpSenders(connections: readonly HttpConnection[]): Send[] {
  return connections.map((connection) => async () => (await connection.send()) === 200);
}
