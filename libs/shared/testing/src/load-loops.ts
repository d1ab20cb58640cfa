/**
 * Closed- and open-loop drivers for benchmarks: they drive any `Send` (an HTTP request on a raw
 * connection, a NATS request) and report throughput and latency.
 */
import { setTimeout as sleep } from 'node:timers/promises';

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
