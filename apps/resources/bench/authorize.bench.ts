/**
 * Authorization checks for the platform's services: `resources.v1.authorize` over NATS, answered
 * by a compiled resources service (its own process, PostgreSQL-backed) from its in-memory index,
 * with 1,000 members, 1,000 API keys and 10,000 resources across 100 organizations. Cold (the
 * first checks after a restart, the index loaded from the read models) and warm (closed loop at
 * 1/8/64 in flight, open loop at 10,000/s offered), next to the floors of the same run: a bare
 * NATS responder (another process, fixed answer) and the service's own `resources.v1.health`
 * through Nest's pipeline. Target (issue 6), warm: >= 10,000 checks/s with p99 <= 2 ms.
 *
 *   npm run bench:authorize     # npm run build, then this; about 6 minutes with the defaults
 *   node -r @swc-node/register apps/resources/bench/authorize.bench.ts   # after a build
 *
 * The load generator is this process: raw @nats-io/transport-node requests (one muxed inbox),
 * each carrying the Nest envelope and the trace headers a ServiceClient sends, so the three
 * targets get the same bytes from the same client. Every reply is checked (an error reply or a
 * timeout counts as an error; the command exits non-zero if there was one), and before measuring,
 * every check of the mix is answered once and compared with the same index built in this process
 * from the same events. Each configuration runs BENCH_REPETITIONS times, targets in a rotated
 * order; the tables show medians. CPU use comes from /proc (cpu-usage.ts), per process.
 * Figures go to results/authorize.json.
 *
 * | variable                      | default | what                                         |
 * | ----------------------------- | ------- | -------------------------------------------- |
 * | `BENCH_ORGANIZATIONS`         | 100     | organizations (10 members, 10 keys each)     |
 * | `BENCH_RESOURCES_PER_ORG`     | 100     | resources per organization                   |
 * | `BENCH_CONCURRENCY`           | 1,8,64  | closed loop: requests in flight              |
 * | `BENCH_RATES`                 | 10000   | open loop: checks per second offered         |
 * | `BENCH_DURATION_MS`           | 5000    | measured time of each run                    |
 * | `BENCH_WARM_UP_MS`            | 1000    | before each run, not counted                 |
 * | `BENCH_INITIAL_WARM_UP_MS`    | 10000   | once, before the warm runs, 64 in flight     |
 * | `BENCH_REPETITIONS`           | 3       | runs of each configuration (and restarts)    |
 * | `BENCH_COLD_CHECKS`           | 1000    | cold: checks one at a time after a restart   |
 * | `BENCH_COLD_BURST_MS`         | 3000    | cold: then 64 in flight for this long        |
 * | `BENCH_OPEN_LOOP_SLOTS`       | 512     | open loop: most requests outstanding         |
 * | `BENCH_SEMI_SPACE_MB`         | 1       | the service's young generation (as `npm start`) |
 * | `BENCH_DATABASE_URL`          | local   | `postgres://postgres@127.0.0.1:5432/orgplane_bench` |
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { runInNewContext } from 'node:vm';
import v8 from 'node:v8';
import type { MsgHdrs, NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import {
  authorizeRequestSchema,
  RESOURCES_SUBJECTS,
  type AuthorizationView,
  type AuthorizeRequest,
  type OrganizationRole,
  type ResourceKind,
  type ResourceVisibility,
  type Scope,
} from '@orgplane/contracts';
import {
  comparePositions,
  ensureDatabase,
  PostgresEventStore,
  type Position,
} from '@orgplane/event-store';
import { SERVICE_LISTENING_MESSAGE, toRequestHeaders } from '@orgplane/messaging';
import { readCheckpoint } from '@orgplane/projections';
import {
  dropSchema,
  formatTable,
  loadAverage1m,
  serviceArguments,
  startNatsServer,
  summariseLatencies,
  uniqueSchemaName,
  writeBenchResults,
  type LatencySummary,
  type RunningNatsServer,
  findProcesses,
  startCpuMeasurement,
  type CpuUsage,
  type ProcessGroup,
  closedLoop,
  openLoop,
  type RunResult,
  type Send,
  benchDatabaseUrl,
  positiveInteger,
  positiveIntegers,
} from '@orgplane/testing';
import { newId } from '@orgplane/util';
import { Client } from 'pg';
import { AccessIndex } from '../src/authorization/domain/access-index';
import { median, NatsRequester } from './bench-support';
import { appendWorld, buildWorld, checkMix, type BenchWorld } from './seed';

const WORKSPACE_ROOT = path.resolve(__dirname, '../../..');
const RESULTS_FILE = path.join(__dirname, 'results', 'authorize.json');
const FLOOR_SUBJECT = 'bench.floor.authorize';
const TARGET = { rate: 10_000, p99Ms: 2 };
const MIX_SIZE = 4096;

const config = {
  databaseUrl: benchDatabaseUrl(),
  organizations: positiveInteger('BENCH_ORGANIZATIONS', 100),
  membersPerOrganization: 10,
  resourcesPerOrganization: positiveInteger('BENCH_RESOURCES_PER_ORG', 100),
  concurrency: positiveIntegers('BENCH_CONCURRENCY', [1, 8, 64]),
  rates: positiveIntegers('BENCH_RATES', [10_000]),
  durationMs: positiveInteger('BENCH_DURATION_MS', 5000),
  warmUpMs: positiveInteger('BENCH_WARM_UP_MS', 1000),
  initialWarmUpMs: positiveInteger('BENCH_INITIAL_WARM_UP_MS', 10_000),
  repetitions: positiveInteger('BENCH_REPETITIONS', 3),
  coldChecks: positiveInteger('BENCH_COLD_CHECKS', 1000),
  coldBurstMs: positiveInteger('BENCH_COLD_BURST_MS', 3000),
  /** a platform service does not cap its requests in flight: enough never to hold one back */
  openLoopSlots: positiveInteger('BENCH_OPEN_LOOP_SLOTS', 512),
};

type TargetName = 'NATS floor' | 'Nest health' | 'authorize';
const TARGETS: TargetName[] = ['NATS floor', 'Nest health', 'authorize'];

// ---------------------------------------------------------------------------------------------
// The service, a compiled process of its own

interface RunningService {
  pid: number;
  /** spawn → "Service is listening on NATS" */
  readyMs: number;
  /** what the index said when ready (counts, load and catch-up times) */
  index: Record<string, unknown>;
  /** log lines written after ready (only counted, not parsed: the client's CPU is the bench's) */
  linesAfterReady: number;
  stop(): Promise<void>;
}

const INDEX_READY = 'Authorization index ready: ';

function startService(env: Record<string, string>): Promise<RunningService> {
  const startedAt = performance.now();
  const semiSpace = process.env.BENCH_SEMI_SPACE_MB;
  const args = serviceArguments('resources', true).map((arg) =>
    semiSpace && arg.startsWith('--max-semi-space-size=')
      ? `--max-semi-space-size=${semiSpace}`
      : arg,
  );
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let exitCode: number | string | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitCode = code ?? signal;
      resolve();
    }),
  );
  let lastLines: string[] = [];
  return new Promise<RunningService>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`resources did not start within 120 s:\n${stderr}`));
    }, 120_000);
    void exited.then(() =>
      reject(new Error(`resources exited (${exitCode}):\n${stderr}\n${lastLines.join('\n')}`)),
    );
    let pending = '';
    let index: Record<string, unknown> = {};
    let service: RunningService | null = null;
    child.stdout!.on('data', (chunk: Buffer) => {
      if (service) {
        for (const byte of chunk) if (byte === 10) service.linesAfterReady += 1;
        return;
      }
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      lastLines = [...lastLines, ...lines].slice(-20);
      for (const text of lines) {
        let line: { msg?: string };
        try {
          line = JSON.parse(text) as { msg?: string };
        } catch {
          continue;
        }
        if (line.msg?.startsWith(INDEX_READY)) {
          index = JSON.parse(line.msg.slice(INDEX_READY.length)) as Record<string, unknown>;
        }
        if (line.msg === SERVICE_LISTENING_MESSAGE && !service) {
          clearTimeout(timer);
          service = {
            pid: child.pid!,
            readyMs: performance.now() - startedAt,
            index,
            linesAfterReady: 0,
            stop: async () => {
              if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
              await exited;
            },
          };
          resolve(service);
        }
      }
    });
  });
}

function startFloorResponder(natsUrl: string): Promise<{ pid: number; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', path.join(__dirname, 'floor-responder.ts')],
    {
      cwd: WORKSPACE_ROOT,
      env: { ...process.env, NATS_URL: natsUrl, FLOOR_SUBJECT },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        resolve({
          pid: child.pid!,
          stop: () =>
            new Promise<void>((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`the floor responder exited with ${code}`)));
  });
}

function residentMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 102.4) / 10;
}

// ---------------------------------------------------------------------------------------------
// Requests

interface Harness {
  nats: NatsConnection;
  headers: MsgHdrs;
  requester: NatsRequester;
  /** Nest envelopes of the check mix, encoded */
  checks: Uint8Array[];
  health: Uint8Array;
}

const encoder = new TextEncoder();

function envelope(pattern: string, data: unknown): Uint8Array {
  return encoder.encode(JSON.stringify({ pattern, data, id: newId() }));
}

/** A reply is good when it is Nest's `{"response":…}`, not `{"err":…}`: one byte tells. */
function isAnswer(data: Uint8Array): boolean {
  return data[2] === 0x72; // {"r
}

function sender(harness: Harness, target: TargetName): Send {
  const { requester, checks, health } = harness;
  let next = 0;
  switch (target) {
    case 'authorize':
      return () => requester.request(RESOURCES_SUBJECTS.authorize, checks[next++ % checks.length]);
    case 'NATS floor':
      return () => requester.request(FLOOR_SUBJECT, checks[next++ % checks.length]);
    case 'Nest health':
      return () => requester.request(RESOURCES_SUBJECTS.health, health);
  }
}

// ---------------------------------------------------------------------------------------------
// Measurements

/** How late this process's own event loop ran during a run: the load generator's share of a tail. */
interface LoopDelay {
  p99Ms: number;
  maxMs: number;
}

function startLoopDelay(): { stop(): LoopDelay } {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  return {
    stop() {
      histogram.disable();
      const ms = (ns: number) => Math.round(ns / 1e4) / 100;
      return { p99Ms: ms(histogram.percentile(99)), maxMs: ms(histogram.max) };
    },
  };
}

interface Measurement {
  loopDelay: LoopDelay;
  target: TargetName;
  mode: 'closed' | 'open';
  level: number;
  repetition: number;
  rate: number;
  latency: LatencySummary;
  serviceLatency?: LatencySummary;
  errors: number;
  unsent?: number;
  cpu: CpuUsage;
}

interface ColdRun {
  repetition: number;
  readyMs: number;
  index: Record<string, unknown>;
  idleRssMb: number;
  firstCheckMs: number;
  sequential: LatencySummary;
  sequentialErrors: number;
  burst: { rate: number; latency: LatencySummary; errors: number };
}

function summary(result: RunResult): LatencySummary {
  return summariseLatencies(result.latencies.length ? result.latencies : [Number.NaN]);
}

function log(text: string): void {
  console.error(text);
}

async function measureClosed(
  harness: Harness,
  groups: ProcessGroup[],
  target: TargetName,
  level: number,
  repetition: number,
): Promise<Measurement> {
  const send = sender(harness, target);
  let cpu: { stop(): CpuUsage } | undefined;
  let loop: { stop(): LoopDelay } | undefined;
  const result = await closedLoop(
    Array<Send>(level).fill(send),
    config.warmUpMs,
    config.durationMs,
    () => {
      cpu = startCpuMeasurement(groups);
      loop = startLoopDelay();
    },
  );
  return record({
    target,
    mode: 'closed',
    level,
    repetition,
    rate: Math.round(result.rate),
    latency: summary(result),
    errors: result.errors,
    cpu: cpu!.stop(),
    loopDelay: loop!.stop(),
  });
}

async function measureOpen(
  harness: Harness,
  groups: ProcessGroup[],
  target: TargetName,
  rate: number,
  repetition: number,
): Promise<Measurement> {
  const send = sender(harness, target);
  let cpu: { stop(): CpuUsage } | undefined;
  let loop: { stop(): LoopDelay } | undefined;
  const result = await openLoop(
    Array<Send>(config.openLoopSlots).fill(send),
    rate,
    config.warmUpMs,
    config.durationMs,
    () => {
      cpu = startCpuMeasurement(groups);
      loop = startLoopDelay();
    },
  );
  return record({
    target,
    mode: 'open',
    level: rate,
    repetition,
    rate: Math.round(result.rate),
    latency: summary(result),
    serviceLatency: summariseLatencies(
      result.serviceLatencies.length ? result.serviceLatencies : [Number.NaN],
    ),
    errors: result.errors,
    unsent: result.unsent,
    cpu: cpu!.stop(),
    loopDelay: loop!.stop(),
  });
}

function record(measurement: Measurement): Measurement {
  const { latency } = measurement;
  log(
    `  ${measurement.target}, ${
      measurement.mode === 'closed'
        ? `${measurement.level} in flight`
        : `${measurement.level}/s offered`
    }, #${measurement.repetition + 1}: ${measurement.rate}/s, p50 ${latency.p50} ms, ` +
      `p99 ${latency.p99} ms, errors ${measurement.errors}` +
      (measurement.unsent ? `, unsent ${measurement.unsent}` : '') +
      `, CPU ${measurement.cpu.machineBusyCores.toFixed(2)} cores, client loop delay p99 ` +
      `${measurement.loopDelay.p99Ms} ms (load ${loadAverage1m()})`,
  );
  return measurement;
}

/** Right after a restart: the first checks one at a time, then a burst at 64 in flight. */
async function measureCold(
  harness: Harness,
  service: RunningService,
  repetition: number,
): Promise<ColdRun> {
  const idleRssMb = residentMb(service.pid);
  const send = sender(harness, 'authorize');
  const latencies: number[] = [];
  let errors = 0;
  for (let index = 0; index < config.coldChecks; index += 1) {
    const startedAt = performance.now();
    const ok = await send();
    const ms = performance.now() - startedAt;
    if (ok) latencies.push(ms);
    else errors += 1;
  }
  const burst = await closedLoop(Array<Send>(64).fill(send), 1, config.coldBurstMs);
  const run: ColdRun = {
    repetition,
    readyMs: Math.round(service.readyMs),
    index: service.index,
    idleRssMb,
    firstCheckMs: Math.round(latencies[0] * 100) / 100,
    sequential: summariseLatencies(latencies),
    sequentialErrors: errors,
    burst: { rate: Math.round(burst.rate), latency: summary(burst), errors: burst.errors },
  };
  log(
    `  cold #${repetition + 1}: ready in ${run.readyMs} ms (index ${JSON.stringify(service.index)}), ` +
      `first check ${run.firstCheckMs} ms, first ${config.coldChecks} p50 ${run.sequential.p50} ` +
      `p99 ${run.sequential.p99} ms; then 64 in flight ${run.burst.rate}/s p99 ` +
      `${run.burst.latency.p99} ms`,
  );
  return run;
}

// ---------------------------------------------------------------------------------------------
// In-process: what a decision and a parse cost, and what the index holds in memory

interface InProcessCosts {
  decideUs: number;
  parseAndValidateUs: number;
  memory: { per100kMembersMb: number; per100kApiKeysMb: number; per100kResourcesMb: number };
}

function inProcessIndex(world: BenchWorld): AccessIndex {
  const index = new AccessIndex();
  for (const stream of world.streams) for (const event of stream.events) index.apply(event);
  return index;
}

function timeUs(calls: number, once: (index: number) => unknown): number {
  for (let index = 0; index < calls / 10; index += 1) once(index);
  const startedAt = performance.now();
  for (let index = 0; index < calls; index += 1) once(index);
  return Math.round(((performance.now() - startedAt) * 1000 * 1000) / calls) / 1000;
}

function inProcessCosts(world: BenchWorld, mix: AuthorizeRequest[]): InProcessCosts {
  const index = inProcessIndex(world);
  const now = Date.now();
  const texts = mix.map((request) =>
    JSON.stringify({ pattern: RESOURCES_SUBJECTS.authorize, data: request, id: newId() }),
  );
  const decideUs = timeUs(1_000_000, (i) => index.decide(mix[i % mix.length], now));
  const parseAndValidateUs = timeUs(200_000, (i) => {
    const packet = JSON.parse(texts[i % texts.length]) as { data: unknown };
    return authorizeRequestSchema.parse(packet.data);
  });
  return { decideUs, parseAndValidateUs, memory: indexMemory() };
}

/** An index loaded from rows made here and gone once it returns. */
function loaded(snapshot: () => Parameters<AccessIndex['load']>[0]): AccessIndex {
  const index = new AccessIndex();
  index.load(snapshot());
  return index;
}

/** Heap held per 100,000 members, API keys and resources (ids as fresh strings, as loaded). */
function indexMemory(): InProcessCosts['memory'] {
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const count = 100_000;
  // A flat copy, as each row from PostgreSQL or each decoded event brings its own. (randomUUID's
  // strings are concatenations that take about 490 bytes each until flattened.)
  const fresh = (id: string) => Buffer.from(id, 'latin1').toString('latin1');
  const uuid = () => fresh(newId());
  const organizations = Array.from({ length: count / 10 }, uuid);
  const kinds: ResourceKind[] = ['sandbox', 'agent', 'workflow', 'tool'];
  const visibilities: ResourceVisibility[] = ['private', 'org', 'public'];
  const scopes: Scope[][] = [['*'], ['agent:read']];
  const indexes: AccessIndex[] = [];
  /** the rows are made, loaded and dropped in between: only what the index keeps counts */
  const measure = (snapshot: () => Parameters<AccessIndex['load']>[0]) => {
    const before = heap();
    indexes.push(loaded(snapshot));
    const after = heap();
    return Math.round(((after - before) / 1024 / 1024) * 10) / 10;
  };
  const none = { members: [], apiKeys: [], resources: [], policies: [] };
  const per100kMembersMb = measure(() => ({
    ...none,
    members: Array.from({ length: count }, (_, i) => ({
      organizationId: fresh(organizations[i % organizations.length]),
      userId: uuid(),
      role: (i % 10 === 0 ? 'admin' : 'member') as OrganizationRole,
    })),
  }));
  const per100kApiKeysMb = measure(() => ({
    ...none,
    apiKeys: Array.from({ length: count }, (_, i) => ({
      keyId: uuid(),
      organizationId: fresh(organizations[i % organizations.length]),
      ownerUserId: uuid(),
      scopes: [...scopes[i % 2]],
      revoked: false,
      expiresAt: null,
    })),
  }));
  const per100kResourcesMb = measure(() => {
    // ten resources per owner
    const owners = Array.from({ length: count / 10 }, uuid);
    return {
      ...none,
      resources: Array.from({ length: count }, (_, i) => ({
        id: uuid(),
        organizationId: fresh(organizations[i % organizations.length]),
        kind: kinds[i % 4],
        ownerUserId: fresh(owners[i % owners.length]),
        visibility: visibilities[i % 3],
      })),
    };
  });
  if (indexes.length !== 3) throw new Error('unreachable');
  return { per100kMembersMb, per100kApiKeysMb, per100kResourcesMb };
}

// ---------------------------------------------------------------------------------------------

async function waitForReadModels(
  store: PostgresEventStore,
  readModelSchema: string,
): Promise<void> {
  const client = new Client({ connectionString: config.databaseUrl });
  await client.connect();
  // readCheckpoint takes what TypeORM's query returns: the rows
  const rows = {
    query: async (sql: string, parameters?: unknown[]) =>
      (await client.query(sql, parameters)).rows,
  };
  try {
    const deadline = Date.now() + 120_000;
    let settled = 0;
    while (settled < 3) {
      if (Date.now() > deadline) throw new Error('the read models did not catch up in 120 s');
      const head = await store.headPosition();
      const checkpoint: Position | null = await readCheckpoint(rows, readModelSchema, 'resources');
      settled = head && checkpoint && comparePositions(checkpoint, head) >= 0 ? settled + 1 : 0;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await client.end();
  }
}

/** Every check of the mix once, compared with the same index built here from the same events. */
async function verifyAnswers(
  harness: Harness,
  world: BenchWorld,
  mix: AuthorizeRequest[],
): Promise<{ checked: number; allowed: number }> {
  const index = inProcessIndex(world);
  let allowed = 0;
  for (let i = 0; i < mix.length; i += 1) {
    const reply = await harness.nats.request(RESOURCES_SUBJECTS.authorize, harness.checks[i], {
      timeout: 5000,
      headers: harness.headers,
    });
    const got = (reply.json() as { response?: { data: AuthorizationView } }).response?.data;
    const expected = index.decide(mix[i], Date.now());
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      throw new Error(
        `check ${i} ${JSON.stringify(mix[i])}: the service answered ${JSON.stringify(got)}, ` +
          `the same index here ${JSON.stringify(expected)}`,
      );
    }
    if (expected.allowed) allowed += 1;
  }
  return { checked: mix.length, allowed };
}

interface Summary {
  target: TargetName;
  mode: 'closed' | 'open';
  level: number;
  rate: number;
  p50: number;
  p99: number;
  max: number;
  serviceP50?: number;
  serviceP99?: number;
  errors: number;
  unsent?: number;
  /** the load generator's own event-loop delay, p99 */
  clientLoopP99: number;
  cpu: Record<string, number> & { machine: number; other: number };
}

function summarise(measurements: readonly Measurement[]): Summary[] {
  const groups = new Map<string, Measurement[]>();
  for (const m of measurements) {
    const key = `${m.mode}|${m.target}|${m.level}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  return [...groups.values()].map((runs) => {
    const of = (pick: (run: Measurement) => number) => median(runs.map(pick));
    const cpu: Summary['cpu'] = {
      machine: of((run) => run.cpu.machineBusyCores),
      other: of((run) => run.cpu.otherCores),
    };
    for (const group of Object.keys(runs[0].cpu.cores)) {
      cpu[group] = of((run) => run.cpu.cores[group]);
    }
    const result: Summary = {
      target: runs[0].target,
      mode: runs[0].mode,
      level: runs[0].level,
      rate: Math.round(of((run) => run.rate)),
      p50: of((run) => run.latency.p50),
      p99: of((run) => run.latency.p99),
      max: of((run) => run.latency.max),
      errors: runs.reduce((sum, run) => sum + run.errors, 0),
      clientLoopP99: of((run) => run.loopDelay.p99Ms),
      cpu,
    };
    if (runs[0].mode === 'open') {
      result.serviceP50 = of((run) => run.serviceLatency!.p50);
      result.serviceP99 = of((run) => run.serviceLatency!.p99);
      result.unsent = runs.reduce((sum, run) => sum + (run.unsent ?? 0), 0);
    }
    return result;
  });
}

async function main() {
  const startedAt = new Date();
  const loadBefore = loadAverage1m();
  await ensureDatabase(config.databaseUrl);
  const eventStoreSchema = uniqueSchemaName('authzbench_events');
  const readModelSchema = uniqueSchemaName('authzbench_read');
  const schemas = [eventStoreSchema, readModelSchema];
  let nats: RunningNatsServer | undefined;
  let store: PostgresEventStore | undefined;
  let service: RunningService | undefined;
  let floor: Awaited<ReturnType<typeof startFloorResponder>> | undefined;
  let client: NatsConnection | undefined;
  let requester: NatsRequester | undefined;
  const measurements: Measurement[] = [];
  const cold: ColdRun[] = [];
  let firstStart!: { readyMs: number; index: Record<string, unknown> };
  let verified!: { checked: number; allowed: number };
  let warmRssMb!: number;
  const world = buildWorld({
    organizations: config.organizations,
    membersPerOrganization: config.membersPerOrganization,
    resourcesPerOrganization: config.resourcesPerOrganization,
  });
  const mix = checkMix(world, MIX_SIZE);
  try {
    nats = await startNatsServer();
    store = await PostgresEventStore.create({
      connectionString: config.databaseUrl,
      schema: eventStoreSchema,
      poolSize: 16,
    });
    log(
      `Seeding ${world.counts.members} members, ${world.counts.apiKeys} API keys and ` +
        `${world.counts.resources} resources in ${config.organizations} organizations ` +
        `(${world.counts.events} events)...`,
    );
    const seedStartedAt = performance.now();
    await appendWorld(store, world);
    log(`  seeded in ${Math.round(performance.now() - seedStartedAt)} ms`);

    const env = {
      NATS_URL: nats.url,
      DATABASE_URL: config.databaseUrl,
      EVENTSTORE_SCHEMA: eventStoreSchema,
      READ_MODEL_SCHEMA: readModelSchema,
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: '0',
    };
    log('Starting the resources service (compiled), first start: read models from scratch...');
    service = await startService(env);
    firstStart = { readyMs: Math.round(service.readyMs), index: service.index };
    log(`  ready in ${firstStart.readyMs} ms: ${JSON.stringify(service.index)}`);
    await waitForReadModels(store, readModelSchema);
    floor = await startFloorResponder(nats.url);
    const connection: NatsConnection = await connect({ servers: nats.url, name: 'bench-client' });
    client = connection;
    const headers = toRequestHeaders({
      requestId: 'req_bench',
      correlationId: 'req_bench',
      causationId: 'req_bench',
    }) as unknown as MsgHdrs;
    requester = new NatsRequester(
      connection as never,
      (headers as unknown as { encode(): Uint8Array }).encode(),
      isAnswer,
    );
    const harness: Harness = {
      nats: connection,
      headers,
      requester,
      checks: mix.map((request) => envelope(RESOURCES_SUBJECTS.authorize, request)),
      health: envelope(RESOURCES_SUBJECTS.health, {}),
    };
    const natsPort = String(nats.port);
    const database = new URL(config.databaseUrl).pathname.slice(1);
    const floorPid = floor.pid;
    const current = () => service!;
    const groups: ProcessGroup[] = [
      { name: 'bench client', pids: () => [process.pid] },
      { name: 'resources', pids: () => [current().pid] },
      { name: 'nats-server', pids: () => findProcesses(['nats-server', `-p ${natsPort}`]) },
      { name: 'postgres', pids: () => findProcesses(['postgres:', ` ${database} `]) },
      { name: 'floor', pids: () => [floorPid] },
    ];

    log('Cold: restarts, the index loaded from the read models');
    for (let repetition = 0; repetition < config.repetitions; repetition += 1) {
      await service.stop();
      service = await startService(env);
      cold.push(await measureCold(harness, service, repetition));
    }

    verified = await verifyAnswers(harness, world, mix);
    log(`Verified: ${verified.checked} answers as the same index here gives them`);

    log(`Warm-up: ${config.initialWarmUpMs / 1000} s of checks at 64 in flight, then the floors`);
    for (const target of ['authorize', 'Nest health', 'NATS floor'] as const) {
      const send = sender(harness, target);
      const ms = target === 'authorize' ? config.initialWarmUpMs : 3000;
      const warm = await closedLoop(Array<Send>(64).fill(send), 0, ms);
      if (warm.errors > 0) throw new Error(`${warm.errors} ${target} requests failed in warm-up`);
    }
    for (let repetition = 0; repetition < config.repetitions; repetition += 1) {
      log(`Repetition ${repetition + 1} of ${config.repetitions}`);
      const order = TARGETS.map((_, i) => TARGETS[(i + repetition) % TARGETS.length]);
      for (const level of config.concurrency) {
        for (const target of order) {
          measurements.push(await measureClosed(harness, groups, target, level, repetition));
        }
      }
      for (const rate of config.rates) {
        for (const target of order) {
          measurements.push(await measureOpen(harness, groups, target, rate, repetition));
        }
      }
    }
    warmRssMb = residentMb(service.pid);
  } finally {
    requester?.close();
    await client?.drain().catch(() => undefined);
    await floor?.stop();
    await service?.stop();
    await store?.close();
    await nats?.stop();
    for (const schema of schemas) await dropSchema(config.databaseUrl, schema);
  }
  log('In-process costs (decide, parse and validate) and memory per 100k entries...');
  const costs = inProcessCosts(world, mix);

  const summaries = summarise(measurements);
  report(summaries, cold, firstStart, costs, warmRssMb, verified);
  const loadAfter = loadAverage1m();
  console.log(`\nLoad average (1 min): ${loadBefore} before, ${loadAfter} after`);
  await writeBenchResults(RESULTS_FILE, startedAt, {
    config: {
      ...config,
      concurrency: config.concurrency.join(', '),
      rates: config.rates.join(', '),
    },
    world: world.counts,
    target: TARGET,
    machine: { totalMemoryGb: Math.round(os.totalmem() / 1024 ** 3), release: os.release() },
    loadAverage1m: { before: loadBefore, after: loadAfter },
    firstStart,
    verified,
    warmRssMb,
    inProcess: costs,
    cold,
    summaries,
    measurements,
  });
  const errors =
    summaries.reduce((sum, s) => sum + s.errors, 0) +
    cold.reduce((sum, run) => sum + run.sequentialErrors + run.burst.errors, 0);
  if (errors > 0) process.exitCode = 1;
}

function report(
  summaries: Summary[],
  cold: ColdRun[],
  firstStart: { readyMs: number; index: Record<string, unknown> },
  costs: InProcessCosts,
  warmRssMb: number,
  verified: { checked: number; allowed: number },
): void {
  const ms = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(2));
  const find = (mode: string, target: TargetName, level: number) =>
    summaries.find((s) => s.mode === mode && s.target === target && s.level === level);
  const medianOf = (pick: (run: ColdRun) => number) => median(cold.map(pick));

  console.log(
    `\nWorld: ${config.organizations * config.membersPerOrganization} members, as many API keys, ` +
      `${config.organizations * config.resourcesPerOrganization} resources; check mix of ` +
      `${MIX_SIZE}, ${verified.allowed} allowed (verified against the same index in-process)`,
  );
  console.log(
    `First start (read models built from $all meanwhile): ready in ${firstStart.readyMs} ms, ` +
      `index ${JSON.stringify(firstStart.index)}`,
  );
  console.log(`\nCold: medians of ${cold.length} restarts (index loaded from the read models)\n`);
  console.log(
    formatTable(
      [
        'ready ms',
        'idle RSS MB',
        'first check ms',
        `first ${config.coldChecks}: p50`,
        'p99',
        'max',
        'then 64 in flight/s',
        'p50',
        'p99',
      ],
      [
        [
          String(medianOf((run) => run.readyMs)),
          String(medianOf((run) => run.idleRssMb)),
          ms(medianOf((run) => run.firstCheckMs)),
          ms(medianOf((run) => run.sequential.p50)),
          ms(medianOf((run) => run.sequential.p99)),
          ms(medianOf((run) => run.sequential.max)),
          medianOf((run) => run.burst.rate).toLocaleString('en-US'),
          ms(medianOf((run) => run.burst.latency.p50)),
          ms(medianOf((run) => run.burst.latency.p99)),
        ],
      ],
    ),
  );

  console.log(
    `\nWarm, closed loop: medians of ${config.repetitions} runs of ${config.durationMs / 1000} s ` +
      `after ${config.warmUpMs / 1000} s\n`,
  );
  console.log(
    formatTable(
      [
        'in flight',
        ...TARGETS.flatMap((t) => [`${t}/s`, 'p50', 'p99']),
        'authorize/floor',
        'authorize/health',
      ],
      config.concurrency.map((level) => {
        const row = TARGETS.map((t) => find('closed', t, level)!);
        const [floor, health, authorize] = row;
        return [
          String(level),
          ...row.flatMap((s) => [s.rate.toLocaleString('en-US'), ms(s.p50), ms(s.p99)]),
          `${(authorize.rate / floor.rate).toFixed(2)}×`,
          `${(authorize.rate / health.rate).toFixed(2)}×`,
        ];
      }),
    ),
  );

  console.log(
    `\nWarm, open loop (${config.openLoopSlots} slots; latency from when each check was due, ` +
      'then from when it was sent)\n',
  );
  console.log(
    formatTable(
      [
        'target',
        'offered/s',
        'done/s',
        'p50',
        'p99',
        'max',
        'sent→done p50',
        'p99',
        'unsent',
        'errors',
        'client loop p99',
      ],
      config.rates.flatMap((rate) =>
        TARGETS.map((t) => {
          const s = find('open', t, rate)!;
          return [
            t,
            rate.toLocaleString('en-US'),
            s.rate.toLocaleString('en-US'),
            ms(s.p50),
            ms(s.p99),
            ms(s.max),
            ms(s.serviceP50),
            ms(s.serviceP99),
            String(s.unsent),
            String(s.errors),
            ms(s.clientLoopP99),
          ];
        }),
      ),
    ),
  );

  const groups = Object.keys(summaries[0].cpu);
  const cpuRows = (rows: (Summary | undefined)[]) =>
    rows
      .filter((s): s is Summary => s !== undefined)
      .map((s) => [
        `${s.target} (${s.mode === 'closed' ? `${s.level} in flight` : `${s.level}/s`})`,
        s.rate.toLocaleString('en-US'),
        ...groups.map((group) => String(Math.round((s.cpu[group] * 1e6) / s.rate))),
      ]);
  const top = Math.max(...config.concurrency);
  console.log(
    '\nCPU per request, µs (cores busy × 10⁶ / requests/s; "machine": all busy CPU, "other": ' +
      'busy CPU no process of the bench accounts for)\n',
  );
  console.log(
    formatTable(
      ['target', 'req/s', ...groups],
      cpuRows([
        ...TARGETS.map((t) => find('closed', t, top)),
        ...config.rates.flatMap((rate) => TARGETS.map((t) => find('open', t, rate))),
      ]),
    ),
  );
  console.log(
    `\nIn-process: AccessIndex.decide ${costs.decideUs} µs per check; JSON.parse + ` +
      `authorizeRequestSchema ${costs.parseAndValidateUs} µs per message. Service RSS after the ` +
      `warm runs ${warmRssMb} MB. Index heap per 100k: members ${costs.memory.per100kMembersMb} MB, ` +
      `API keys ${costs.memory.per100kApiKeysMb} MB, resources ${costs.memory.per100kResourcesMb} MB`,
  );

  const best = Math.max(
    ...config.concurrency.map((level) => find('closed', 'authorize', level)!.rate),
  );
  const atTarget = find('open', 'authorize', TARGET.rate);
  const closedMet = config.concurrency.some((level) => {
    const s = find('closed', 'authorize', level)!;
    return s.rate >= TARGET.rate && s.p99 <= TARGET.p99Ms;
  });
  console.log(
    `\nTarget (warm: >= ${TARGET.rate.toLocaleString('en-US')} checks/s, p99 <= ${TARGET.p99Ms} ms): ` +
      `closed loop ${closedMet ? 'met' : 'MISSED'} (best ${best.toLocaleString('en-US')}/s)` +
      (atTarget
        ? `; open loop at ${TARGET.rate.toLocaleString('en-US')}/s ${
            atTarget.rate >= TARGET.rate * 0.99 && atTarget.p99 <= TARGET.p99Ms && !atTarget.unsent
              ? 'met'
              : 'MISSED'
          } (${atTarget.rate.toLocaleString('en-US')}/s done, p99 ${atTarget.p99} ms)`
        : ''),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
