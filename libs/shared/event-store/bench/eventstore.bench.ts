/**
 * Event store benchmark: our PostgreSQL adapter next to Emmett's and next to the raw floor of
 * PostgreSQL itself, on the same database, pool size and event shape, in one run.
 *
 *   npm run bench:eventstore
 *   BENCH_SCALE=0.1 BENCH_REPETITIONS=1 npm run bench:eventstore     # smoke check
 *   BENCH_SYSTEMS=raw,ours npm run bench:eventstore
 *
 * See README.md next to this file for what each cell measures and why.
 */
import { fork } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { format as formatWithPrettier } from 'prettier';
import { loadConfig, SYSTEM_LABELS, WORKLOADS, type BenchConfig, type SystemName } from './config';
import {
  acquireRunLock,
  countOtherBusySessions,
  dropLeftoverSchemas,
  readServerInfo,
  SCHEMA_PREFIX,
} from './database';
import { ensureDatabase } from '../src/postgres/ensure-database';
import {
  checkTargets,
  rateLookup,
  renderReport,
  summarise,
  type CellFigures,
  type Failures,
} from './report';
import type { SystemRunMessage, SystemRunRequest } from './run-system';
import type { PhaseResult } from './workloads';

const RESULTS_FILE = path.join(__dirname, 'results', 'latest.json');

/** Runs one repetition of one system in its own process; resolves with the cells it measured. */
function runSystemProcess(
  request: SystemRunRequest,
): Promise<{ phases: PhaseResult[]; failure?: string }> {
  return new Promise((resolve) => {
    const phases: PhaseResult[] = [];
    let failure: string | undefined;
    const child = fork(path.join(__dirname, 'run-system.ts'), [JSON.stringify(request)], {
      execArgv: ['-r', '@swc-node/register'],
    });
    child.on('message', (message: SystemRunMessage) => {
      if (message.kind === 'phase') phases.push(message.phase);
      else failure = message.message;
    });
    child.on('exit', (code) => {
      resolve({
        phases,
        failure: code === 0 ? undefined : (failure ?? `process exited with code ${code}`),
      });
    });
  });
}

/** Starts each repetition with a different system so none always runs first or last. */
function rotate<T>(items: T[], by: number): T[] {
  const offset = by % items.length;
  return [...items.slice(offset), ...items.slice(0, offset)];
}

async function describeMachine(config: BenchConfig) {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    memoryBytes: os.totalmem(),
    node: process.version,
    postgres: await readServerInfo(config.adminConnectionString),
  };
}

/** Other engineers' tests share this machine and server: record how busy both were. */
async function sampleLoad(config: BenchConfig) {
  return {
    loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
    otherBusyPostgresSessions: await countOtherBusySessions(
      config.adminConnectionString,
      config.databaseName,
    ),
  };
}

async function main() {
  const config = loadConfig();
  await ensureDatabase(config.benchConnectionString);
  const releaseRunLock = await acquireRunLock(config.benchConnectionString);
  try {
    await runBenchmark(config);
  } finally {
    await releaseRunLock();
  }
}

async function runBenchmark(config: BenchConfig) {
  const started = performance.now();
  await dropLeftoverSchemas(config.benchConnectionString);
  const machine = await describeMachine(config);
  const loadBefore = await sampleLoad(config);

  const runId = Date.now().toString(36);
  const phasesBySystem = new Map<SystemName, PhaseResult[]>();
  const failures: Failures = {};
  const loadBySystemRun: { repetition: number; system: SystemName; loadAverage1m: number }[] = [];
  for (let repetition = 0; repetition < config.repetitions; repetition++) {
    for (const system of rotate(config.systems, repetition)) {
      const loadAverage1m = Number(os.loadavg()[0].toFixed(2));
      loadBySystemRun.push({ repetition: repetition + 1, system, loadAverage1m });
      const outcome = await runSystemProcess({
        system,
        schema: `${SCHEMA_PREFIX}${runId}_${system}_${repetition}`,
        benchConnectionString: config.benchConnectionString,
        sizes: config.sizes,
      });
      phasesBySystem.set(system, [...(phasesBySystem.get(system) ?? []), ...outcome.phases]);
      if (outcome.failure) {
        failures[system] = [
          ...(failures[system] ?? []),
          `repetition ${repetition + 1}: ${outcome.failure}`,
        ];
      }
      const rates = outcome.phases
        .map((phase) => `${phase.workload} ${Math.round(phase.events / (phase.elapsedMs / 1000))}`)
        .join(', ');
      console.error(
        `repetition ${repetition + 1}/${config.repetitions} ${system} (load ${loadAverage1m}): ${rates}`,
      );
    }
  }
  // A child killed before its own cleanup leaves its schema behind.
  await dropLeftoverSchemas(config.benchConnectionString);

  const cells: CellFigures[] = config.systems.flatMap((system) =>
    WORKLOADS.flatMap((workload) => {
      const phases = (phasesBySystem.get(system) ?? []).filter(
        (phase) => phase.workload === workload,
      );
      return phases.length > 0 ? [summarise(system, workload, phases)] : [];
    }),
  );
  const rate = rateLookup(cells);

  console.log(renderReport(cells, config.systems, config.sizes, failures));

  const results = {
    finishedAt: new Date().toISOString(),
    durationSeconds: Math.round((performance.now() - started) / 1000),
    scale: config.scale,
    repetitions: config.repetitions,
    sizes: config.sizes,
    systems: Object.fromEntries(config.systems.map((system) => [system, SYSTEM_LABELS[system]])),
    machine,
    load: { before: loadBefore, after: await sampleLoad(config), bySystemRun: loadBySystemRun },
    cells,
    ratios: WORKLOADS.map((workload) => {
      const ours = rate('ours', workload);
      const raw = rate('raw', workload);
      const emmett = rate('emmett', workload);
      return {
        workload,
        oursOverRaw: ours && raw ? Number((ours / raw).toFixed(3)) : null,
        oursOverEmmett: ours && emmett ? Number((ours / emmett).toFixed(3)) : null,
      };
    }),
    targets: checkTargets(rate),
    failures,
  };
  await mkdir(path.dirname(RESULTS_FILE), { recursive: true });
  // formatted the way the repository's format check expects, so a rerun leaves it clean
  await writeFile(
    RESULTS_FILE,
    await formatWithPrettier(JSON.stringify(results), { parser: 'json' }),
  );
  console.log(
    `\nraw figures: ${path.relative(process.cwd(), RESULTS_FILE)} (${results.durationSeconds} s)`,
  );
  if (Object.keys(failures).length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
