/**
 * Resident memory of every service when idle: all seven started as `npm start` starts them (on a
 * private nats-server, in fresh schemas), left alone for a while, then measured from
 * /proc/<pid>/status. Target: each under 100 MB.
 *
 *   npm run bench:services
 *
 * See README.md next to this file.
 */
import {
  formatTable,
  loadAverage1m,
  residentMemory,
  type ResidentMemory,
  benchDatabaseUrl,
  positiveInteger,
} from '@orgplane/testing';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceStack, type ServiceName } from './service-stack';

const RESULTS_FILE = path.join(__dirname, 'results', 'idle-memory.json');
const TARGET_MB = 100;
const SERVICES: ServiceName[] = [
  'identity',
  'membership',
  'resources',
  'secrets-vault',
  'keys',
  'audit',
  'gateway',
];

const config = {
  databaseUrl: benchDatabaseUrl(),
  idleMs: positiveInteger('BENCH_IDLE_MS', 10_000),
};

async function main() {
  console.error(`Starting ${SERVICES.join(', ')}...`);
  const stack = await ServiceStack.start(config.databaseUrl, SERVICES);
  let measured: { service: string; pid: number; memory: ResidentMemory }[];
  const loadBefore = loadAverage1m();
  try {
    console.error(`All listening; idle for ${config.idleMs / 1000} s`);
    await sleep(config.idleMs);
    measured = await Promise.all(
      stack.processes.map(async ({ service, pid }) => ({
        service,
        pid,
        memory: await residentMemory(pid),
      })),
    );
  } finally {
    await stack.stop();
  }

  console.log(`\nResident memory when idle (MB, ${config.idleMs / 1000} s after start-up)\n`);
  console.log(
    formatTable(
      ['service', 'RSS', 'of which anonymous', 'of which files', 'peak RSS', `< ${TARGET_MB} MB`],
      measured.map(({ service, memory }) => [
        service,
        memory.rss.toFixed(1),
        memory.rssAnon.toFixed(1),
        memory.rssFile.toFixed(1),
        memory.peakRss.toFixed(1),
        memory.rss < TARGET_MB ? 'yes' : 'no',
      ]),
    ),
  );
  await mkdir(path.dirname(RESULTS_FILE), { recursive: true });
  await writeFile(
    RESULTS_FILE,
    `${JSON.stringify(
      {
        finishedAt: new Date().toISOString(),
        machine: { cpuCount: os.cpus().length, node: process.version },
        config,
        loadAverage1m: { before: loadBefore, after: loadAverage1m() },
        targetMb: TARGET_MB,
        services: measured.map(({ service, memory }) => ({ service, ...memory })),
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nResults: ${path.relative(process.cwd(), RESULTS_FILE)}`);
  if (measured.some(({ memory }) => memory.rss >= TARGET_MB)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
