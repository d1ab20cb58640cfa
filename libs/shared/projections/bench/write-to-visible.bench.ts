/**
 * Write-to-visible at the library level: how long after an append returns a read-your-writes
 * wait (waitForProjections, from another connection) sees the projection hold it; next to the
 * physical floor, a bare INSERT then SELECT on the same database, in the same run.
 *
 *   npm run bench:read-your-writes                                 # this, then the HTTP bench
 *   node -r @swc-node/register libs/shared/projections/bench/write-to-visible.bench.ts
 *
 * See README.md next to this file for the cases and the variables.
 */
import { ensureDatabase, PostgresEventStore, type Position } from '@orgplane/event-store';
import {
  dropSchema,
  formatTable,
  loadAverage1m,
  summariseLatencies,
  uniqueSchemaName,
  writeBenchResults,
  type LatencySummary,
  benchDatabaseUrl,
  positiveInteger,
  quietLogger,
} from '@orgplane/testing';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { ProjectionRunner } from '../src/projection-runner';
import { memberAdded, ORG_MEMBERS, orgMembersProjection } from '../src/testing/org-members.fixture';
import { closeCheckpointWatcher, waitForProjections } from '../src/wait-for-projections';
import {
  HelperProcess,
  type BenchDatabase,
  type LoadMessage,
  type LoadRequest,
  type RunnerMessage,
  type StoreTiming,
  storeOptions,
} from './bench-processes';

const RESULTS_FILE = path.join(__dirname, 'results', 'write-to-visible.json');
/** the target for write-to-visible, p99 */
const TARGET_P99_MS = 20;
/** a wait that runs out counts as not visible; far above any figure worth reporting */
const WAIT_TIMEOUT_MS = 2000;

const config = {
  connectionString: benchDatabaseUrl(),
  samples: positiveInteger('BENCH_SAMPLES', 1000),
  warmUp: positiveInteger('BENCH_WARM_UP', 100),
  loadAppendsPerSecond: positiveInteger('BENCH_LOAD_RATE', 200),
  loadWriters: positiveInteger('BENCH_LOAD_WRITERS', 8),
  /** to try other timings of the event store; unset, its defaults */
  storeTiming: {
    settleDelayMs: optionalInteger('BENCH_SETTLE_DELAY_MS'),
    notifyIntervalMs: optionalInteger('BENCH_NOTIFY_INTERVAL_MS'),
  } satisfies StoreTiming,
};

function optionalInteger(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be an integer >= 0`);
  return value;
}

type RunnerPlace = 'writer process' | 'other process';
type Load = 'sequential' | 'under load';

interface CaseResult {
  runner: RunnerPlace | 'none (floor)';
  load: Load;
  /** the append, or for the floor the INSERT */
  write: LatencySummary;
  /** from the write's acknowledgement to the wait resolving (floor: to the SELECT returning) */
  visibleAfterAck: LatencySummary;
  /** from the write's start to visible: what a client doing write-then-read waits */
  writeToVisible: LatencySummary;
  /** waits that ran out, or resolved while the row was not there yet: must be 0 */
  notVisible: number;
  backgroundAppendsPerSecond: number | null;
  /** share of all cores busy during the samples, whoever used them: what a setting costs */
  machineCpuPercent: number;
  loadAverage1m: { before: number; after: number };
}

interface Samples {
  write: number[];
  visibleAfterAck: number[];
  notVisible: number;
}

/** The connections of the measuring side: the writer's store, and the reader's pool. */
interface Bench {
  database: BenchDatabase;
  writerStore: PostgresEventStore;
  /** waits and visibility checks: another pool than the writer's and the runner's */
  readerPool: Pool;
  /** the floor's INSERTs, on a pool of their own like the store's appends */
  floorWriterPool: Pool;
}

/** One sample: append, wait until the projection holds it, check the row is there. */
async function writeAndWait(bench: Bench, orgId: string, userId: string, samples: Samples) {
  const { readerPool, writerStore, database } = bench;
  const startedAt = performance.now();
  const { position } = await writerStore.append(`organization-${orgId}`, [
    memberAdded(orgId, userId),
  ]);
  const acknowledgedAt = performance.now();
  const reached = await waitForProjections(
    readerPool,
    database.readSchema,
    [ORG_MEMBERS],
    position,
    WAIT_TIMEOUT_MS,
  );
  const visibleAt = performance.now();
  const { rowCount } = await readerPool.query(
    `SELECT 1 FROM "${database.readSchema}".${ORG_MEMBERS} WHERE org_id = $1 AND user_id = $2`,
    [orgId, userId],
  );
  samples.write.push(acknowledgedAt - startedAt);
  samples.visibleAfterAck.push(visibleAt - acknowledgedAt);
  if (!reached || rowCount !== 1) samples.notVisible += 1;
}

/** One floor sample: the same event's JSON INSERTed on one connection, SELECTed on another. */
async function insertAndSelect(bench: Bench, orgId: string, userId: string, samples: Samples) {
  const { data, metadata } = memberAdded(orgId, userId);
  const startedAt = performance.now();
  const { rows } = await bench.floorWriterPool.query<{ id: string }>(
    `INSERT INTO "${bench.database.readSchema}".floor_writes (data, metadata) VALUES ($1, $2)
     RETURNING id`,
    [data, metadata],
  );
  const acknowledgedAt = performance.now();
  const { rowCount } = await bench.readerPool.query(
    `SELECT data FROM "${bench.database.readSchema}".floor_writes WHERE id = $1`,
    [rows[0].id],
  );
  const visibleAt = performance.now();
  samples.write.push(acknowledgedAt - startedAt);
  samples.visibleAfterAck.push(visibleAt - acknowledgedAt);
  if (rowCount !== 1) samples.notVisible += 1;
}

type Sampler = typeof writeAndWait;

/** Time all cores spent, from /proc/stat: busy is everything but idle and waiting for I/O. */
async function readCpuTimes(): Promise<{ busy: number; total: number }> {
  const [cpuLine] = (await readFile('/proc/stat', 'utf8')).split('\n');
  const ticks = cpuLine.trim().split(/\s+/).slice(1, 9).map(Number);
  const [, , , idle, ioWait] = ticks;
  const total = ticks.reduce((sum, value) => sum + value, 0);
  return { busy: total - idle - ioWait, total };
}

async function measure(
  bench: Bench,
  sampler: Sampler,
  runner: CaseResult['runner'],
  load: Load,
): Promise<CaseResult> {
  const orgId = `bench-${randomUUID()}`;
  const before = loadAverage1m();
  const discard: Samples = { write: [], visibleAfterAck: [], notVisible: 0 };
  for (let index = 0; index < config.warmUp; index += 1) {
    await sampler(bench, orgId, `warm-up-${index}`, discard);
  }
  const samples: Samples = { write: [], visibleAfterAck: [], notVisible: 0 };
  const cpuBefore = await readCpuTimes();
  for (let index = 0; index < config.samples; index += 1) {
    await sampler(bench, orgId, `user-${index}`, samples);
  }
  const cpuAfter = await readCpuTimes();
  const result: CaseResult = {
    runner,
    load,
    write: summariseLatencies(samples.write),
    visibleAfterAck: summariseLatencies(samples.visibleAfterAck),
    writeToVisible: summariseLatencies(
      samples.write.map((write, index) => write + samples.visibleAfterAck[index]),
    ),
    notVisible: samples.notVisible + discard.notVisible,
    backgroundAppendsPerSecond: null,
    machineCpuPercent: Math.round(
      (100 * (cpuAfter.busy - cpuBefore.busy)) / (cpuAfter.total - cpuBefore.total),
    ),
    loadAverage1m: { before, after: loadAverage1m() },
  };
  console.error(
    `${runner}, ${load}: visible after ack p50 ${result.visibleAfterAck.p50} ms, ` +
      `p99 ${result.visibleAfterAck.p99} ms (load ${before} -> ${result.loadAverage1m.after})`,
  );
  return result;
}

/** The projection runner in the writer's process, on the writer's store: woken in-process. */
async function startLocalRunner(bench: Bench) {
  const dataSource = await new DataSource({
    type: 'postgres',
    url: bench.database.connectionString,
    poolSize: 4,
  }).initialize();
  const runner = new ProjectionRunner(bench.writerStore, dataSource, orgMembersProjection(), {
    schema: bench.database.readSchema,
    logger: quietLogger,
  });
  runner.start();
  await caughtUp(bench);
  return {
    async stop() {
      await runner.stop();
      await dataSource.destroy();
    },
  };
}

async function startRemoteRunner(bench: Bench) {
  const runner = new HelperProcess<RunnerMessage>('runner-process.ts', bench.database);
  await runner.next('running');
  await caughtUp(bench);
  return runner;
}

/** Until the runner that just started has applied everything appended so far. */
async function caughtUp(bench: Bench): Promise<void> {
  const head: Position | null = await bench.writerStore.headPosition();
  if (!head) return;
  const reached = await waitForProjections(
    bench.readerPool,
    bench.database.readSchema,
    [ORG_MEMBERS],
    head,
    30_000,
  );
  if (!reached) throw new Error('the projection runner did not catch up within 30 s');
}

/**
 * Runs the cases with the background load on, and notes on each the rate the load process
 * achieved (a busy machine can hold it below the one asked for).
 */
async function underLoad(bench: Bench, cases: () => Promise<CaseResult[]>): Promise<CaseResult[]> {
  const request: LoadRequest = {
    ...bench.database,
    appendsPerSecond: config.loadAppendsPerSecond,
    writers: config.loadWriters,
  };
  const load = new HelperProcess<LoadMessage>('load-process.ts', request);
  await load.next('started');
  const stopped = load.next('stopped');
  stopped.catch(() => undefined); // unheard of when a case fails: that error is the one to see
  let results: CaseResult[];
  try {
    results = await cases();
  } finally {
    await load.stop();
  }
  const { appends, elapsedMs } = await stopped;
  const achieved = Math.round(appends / (elapsedMs / 1000));
  return results.map((result) => ({ ...result, backgroundAppendsPerSecond: achieved }));
}

async function main() {
  const database: BenchDatabase = {
    connectionString: config.connectionString,
    storeSchema: uniqueSchemaName('rywbench_store'),
    readSchema: uniqueSchemaName('rywbench_read'),
    storeTiming: config.storeTiming,
  };
  await ensureDatabase(database.connectionString);
  const readerPool = new Pool({ connectionString: database.connectionString, max: 2 });
  const floorWriterPool = new Pool({ connectionString: database.connectionString, max: 1 });
  const writerStore = await PostgresEventStore.create(storeOptions(database));
  const bench: Bench = { database, writerStore, readerPool, floorWriterPool };
  await readerPool.query(`CREATE SCHEMA "${database.readSchema}"`);
  await readerPool.query(
    `CREATE TABLE "${database.readSchema}".floor_writes
       (id bigserial PRIMARY KEY, data jsonb NOT NULL, metadata jsonb NOT NULL)`,
  );

  const startedAt = new Date();
  const loadBefore = loadAverage1m();
  const cases: CaseResult[] = [];
  try {
    cases.push(await measure(bench, insertAndSelect, 'none (floor)', 'sequential'));
    const local = await startLocalRunner(bench);
    cases.push(await measure(bench, writeAndWait, 'writer process', 'sequential'));
    await local.stop();
    const remote = await startRemoteRunner(bench);
    cases.push(await measure(bench, writeAndWait, 'other process', 'sequential'));
    // Under load the runner stays where it is first (the floor is measured while it works
    // through the load's events too), then moves back into the writer's process.
    cases.push(
      ...(await underLoad(bench, async () => [
        await measure(bench, insertAndSelect, 'none (floor)', 'under load'),
        await measure(bench, writeAndWait, 'other process', 'under load'),
      ])),
    );
    await remote.stop();
    const localAgain = await startLocalRunner(bench);
    cases.push(
      ...(await underLoad(bench, async () => [
        await measure(bench, writeAndWait, 'writer process', 'under load'),
      ])),
    );
    await localAgain.stop();
  } finally {
    await closeCheckpointWatcher(readerPool);
    await writerStore.close();
    await readerPool.end();
    await floorWriterPool.end();
    await dropSchema(database.connectionString, database.readSchema);
    await dropSchema(database.connectionString, database.storeSchema);
  }

  report(cases);
  await writeBenchResults(RESULTS_FILE, startedAt, {
    config: { ...config, waitTimeoutMs: WAIT_TIMEOUT_MS },
    loadAverage1m: { before: loadBefore, after: loadAverage1m() },
    targetP99Ms: TARGET_P99_MS,
    cases,
  });
  if (cases.some((result) => result.notVisible > 0)) process.exitCode = 1;
}

function describeTiming(timing: StoreTiming): string {
  const overrides = Object.entries(timing).filter(([, value]) => value !== undefined);
  return overrides.length
    ? overrides.map(([name, value]) => `${name}=${value}`).join(', ')
    : 'defaults';
}

function report(cases: CaseResult[]) {
  const figures = (summary: LatencySummary) =>
    [summary.p50, summary.p90, summary.p99, summary.max].map((value) => value.toFixed(1));
  console.log(
    `\nWrite to visible, library level (ms; ${config.samples} samples per case, ` +
      `background load ${config.loadAppendsPerSecond} appends/s from ${config.loadWriters} writers, ` +
      `event store timing ${describeTiming(config.storeTiming)})\n`,
  );
  console.log(
    formatTable(
      [
        'runner / load',
        'write p50',
        'write p99',
        'ack→visible p50',
        'p90',
        'p99',
        'max',
        'write→visible p50',
        'p99',
        'not visible',
        'bg appends/s',
        'CPU %',
        'load 1m',
      ],
      cases.map((result) => {
        const [p50, p90, p99, max] = figures(result.visibleAfterAck);
        return [
          `${result.runner}, ${result.load}`,
          result.write.p50.toFixed(1),
          result.write.p99.toFixed(1),
          p50,
          p90,
          p99,
          max,
          result.writeToVisible.p50.toFixed(1),
          result.writeToVisible.p99.toFixed(1),
          String(result.notVisible),
          result.backgroundAppendsPerSecond === null
            ? '-'
            : String(result.backgroundAppendsPerSecond),
          String(result.machineCpuPercent),
          `${result.loadAverage1m.before}→${result.loadAverage1m.after}`,
        ];
      }),
    ),
  );
  const projected = cases.filter((result) => result.runner !== 'none (floor)');
  const worst = Math.max(...projected.map((result) => result.visibleAfterAck.p99));
  console.log(
    `\nTarget: ack→visible p99 <= ${TARGET_P99_MS} ms in every case: ` +
      `${worst <= TARGET_P99_MS ? 'met' : 'missed'} (worst p99 ${worst.toFixed(1)} ms). ` +
      'The floor rows are a bare INSERT, then a SELECT of it from another connection.',
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
