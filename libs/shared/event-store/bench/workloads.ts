import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { BenchSizes, Workload } from './config';
import { queriesSoFar } from './query-counter';
import type { BenchEvent, DeliveryTally, SystemUnderTest } from './systems/system';

export interface PhaseResult {
  workload: Workload;
  events: number;
  elapsedMs: number;
  /** appends, or pages / batches read */
  operations: number;
  /** pg round trips during the phase */
  queries: number;
  /** reads: events handed over more than once (not counted in `events`) */
  redelivered: number;
  /** reads: written events never handed over; anything but 0 is a correctness bug */
  missed: number;
}

/**
 * A membership-like event, about 500 bytes of JSON (data and metadata). Ids are
 * fixed per writer so that building events costs next to nothing next to storing them.
 */
function eventFactory(writer: number): (sequence: number) => BenchEvent {
  const orgId = randomUUID();
  const memberId = randomUUID();
  const requestId = randomUUID();
  return (sequence) => ({
    type: 'MemberInvited',
    schemaVersion: 1,
    data: {
      orgId,
      memberId,
      email: `member-${writer}-${sequence}@example.com`,
      role: 'admin',
      invitedBy: memberId,
      sequence,
    },
    metadata: {
      orgId,
      actor: { type: 'user', id: memberId },
      requestId,
      correlationId: requestId,
      causationId: requestId,
    },
  });
}

/**
 * `writerCount` writers run at once; each appends `appendsPerWriter` times, sequentially, to its
 * own stream with the exact expected revision. Returns how many events were written.
 */
async function runWriters(
  system: SystemUnderTest,
  streamPrefix: string,
  writerCount: number,
  appendsPerWriter: number,
  eventsPerAppend: number,
): Promise<number> {
  const writers = Array.from({ length: writerCount }, async (_, writer) => {
    const nextEvent = eventFactory(writer);
    const streamName = `member-${streamPrefix}-${writer}`;
    let lastRevision: bigint | null = null;
    for (let append = 0; append < appendsPerWriter; append++) {
      const events = Array.from({ length: eventsPerAppend }, (_, index) =>
        nextEvent(append * eventsPerAppend + index),
      );
      await system.append(streamName, lastRevision, events);
      lastRevision = (lastRevision ?? -1n) + BigInt(eventsPerAppend);
    }
  });
  await Promise.all(writers);
  return writerCount * appendsPerWriter * eventsPerAppend;
}

/** Times `run`; `count` runs after the clock stopped, so checking the outcome costs nothing. */
async function timed<Outcome>(
  workload: Workload,
  operations: number,
  run: () => Promise<Outcome>,
  count: (outcome: Outcome) => Pick<PhaseResult, 'events' | 'redelivered' | 'missed'>,
): Promise<PhaseResult> {
  const queriesBefore = queriesSoFar();
  const started = performance.now();
  const outcome = await run();
  const elapsedMs = performance.now() - started;
  const queries = queriesSoFar() - queriesBefore;
  return { workload, elapsedMs, operations, queries, ...count(outcome) };
}

/** A read is credited with the distinct events it delivered; the rest is reported, not hidden. */
function readCounts(tally: DeliveryTally, written: number) {
  const distinct = tally.countDistinct();
  return { events: distinct, redelivered: tally.delivered - distinct, missed: written - distinct };
}

export interface PhaseHooks {
  /** runs (untimed) after the appends and before the reads */
  beforeReads(): Promise<void>;
  /** receives each cell as soon as it is measured, so a later failure keeps the earlier ones */
  onPhase(result: PhaseResult): Promise<void>;
}

/** The whole sequence for one system: warm-up, four append cells, top-up, two read cells. */
export async function runAllPhases(
  system: SystemUnderTest,
  sizes: BenchSizes,
  hooks: PhaseHooks,
): Promise<void> {
  const { writers, batchSize } = sizes;
  // Opens every pooled connection and lets the JIT see the append paths before anything counts.
  let written = await runWriters(system, 'warmup-single', writers, 10, 1);
  written += await runWriters(system, 'warmup-batch', writers, 2, batchSize);

  const appendPhase = async (
    workload: Workload,
    writerCount: number,
    appendsPerWriter: number,
    eventsPerAppend: number,
  ) => {
    const streamPrefix = workload.replace('/', '-');
    const result = await timed(
      workload,
      writerCount * appendsPerWriter,
      () => runWriters(system, streamPrefix, writerCount, appendsPerWriter, eventsPerAppend),
      (events) => ({ events, redelivered: 0, missed: 0 }),
    );
    written += result.events;
    await hooks.onPhase(result);
  };
  await appendPhase('single-append/1-writer', 1, sizes.singleAppendsOneWriter, 1);
  await appendPhase('single-append/concurrent', writers, sizes.singleAppendsPerWriter, 1);
  await appendPhase('batch-append/1-writer', 1, sizes.batchesOneWriter, batchSize);
  await appendPhase('batch-append/concurrent', writers, sizes.batchesPerWriter, batchSize);

  const missing = Math.max(0, sizes.eventsToRead - written);
  const topUpBatchesPerWriter = Math.ceil(missing / batchSize / writers);
  written += await runWriters(system, 'top-up', writers, topUpBatchesPerWriter, batchSize);
  await hooks.beforeReads();

  const pages = Math.ceil(written / sizes.pageSize);
  const countRead = (tally: DeliveryTally) => readCounts(tally, written);
  await hooks.onPhase(
    await timed('read-all', pages, () => system.readAll(sizes.pageSize), countRead),
  );
  await hooks.onPhase(
    await timed('catch-up', pages, () => system.catchUp(written, sizes.pageSize), countRead),
  );
}
