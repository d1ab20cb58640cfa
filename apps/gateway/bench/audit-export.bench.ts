/**
 * Memory of an audit export: 100,000 entries of one organization streamed over HTTP as NDJSON
 * and as CSV, while the resident memory of the gateway and of the audit service is sampled from
 * /proc every few milliseconds. Their peaks are compared with their idle RSS, and with the floor:
 * a plain Node HTTP server streaming the same NDJSON bytes from a file. Target: the gateway and
 * the audit service each under 150 MB at the peak.
 *
 *   npm run bench:audit-export
 *   BENCH_ENTRIES=100000 node -r @swc-node/register apps/gateway/bench/audit-export.bench.ts
 *
 * identity, membership, audit and the gateway run as `npm start` runs them (compiled: build
 * first). An Admin signs in and creates the organization through the API; its history is then
 * appended straight into the event store (secret reveals from a year of clients, each with an
 * address and a user agent, as the vault would append them: no running service folds them but
 * the audit log), and the export starts once the audit log has caught up.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { secretAccessStreamName, secretEvents } from '@orgplane/contracts';
import {
  formatPosition,
  PostgresEventStore,
  type JsonObject,
  type NewEvent,
} from '@orgplane/event-store';
import {
  formatTable,
  loadAverage1m,
  residentMemory,
  writeBenchResults,
  benchDatabaseUrl,
  positiveInteger,
} from '@orgplane/testing';
import { ServiceStack } from './service-stack';

const RESULTS_FILE = path.join(__dirname, 'results', 'audit-export.json');
const TARGET_MB = 150;
const SAMPLE_EVERY_MS = 10;
/** secrets the history reveals, each its own access stream */
const SECRETS = 100;
/** events per append: a seed of 100,000 one append each would outlast the benchmark */
const APPEND_BATCH = 500;

const config = {
  databaseUrl: benchDatabaseUrl(),
  entries: positiveInteger('BENCH_ENTRIES', 100_000),
  idleMs: positiveInteger('BENCH_IDLE_MS', 5000),
};

interface Download {
  bytes: number;
  lines: number;
  ms: number;
  /** the highest VmRSS sampled while the download ran, MB, by process */
  peakRss: Record<string, number>;
}

/**
 * Samples VmRSS of the processes until stopped; the highest of each. VmHWM is no help here: it
 * holds the start-up peak too.
 */
function sampleResidentMemory(pids: Record<string, number>): () => Promise<Record<string, number>> {
  const peaks: Record<string, number> = Object.fromEntries(
    Object.keys(pids).map((name) => [name, 0]),
  );
  let running = true;
  const sampling = (async () => {
    while (running) {
      await Promise.all(
        Object.entries(pids).map(async ([name, pid]) => {
          peaks[name] = Math.max(peaks[name], (await residentMemory(pid)).rss);
        }),
      );
      await sleep(SAMPLE_EVERY_MS);
    }
  })();
  return async () => {
    running = false;
    await sampling;
    return peaks;
  };
}

/** Reads the whole response as a client would, keeping nothing (or writing it to `keepIn`). */
async function download(
  url: string,
  headers: Record<string, string>,
  pids: Record<string, number>,
  keepIn?: string,
): Promise<Download> {
  const stopSampling = sampleResidentMemory(pids);
  const started = performance.now();
  const response = await fetch(url, { headers });
  if (response.status !== 200 || !response.body) {
    throw new Error(`${url}: ${response.status} ${await response.text()}`);
  }
  const file = keepIn ? createWriteStream(keepIn) : undefined;
  let bytes = 0;
  let lines = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (const byte of chunk) if (byte === 0x0a) lines += 1;
    if (file && !file.write(chunk)) await once(file, 'drain');
  }
  if (file) await new Promise((resolve) => file.end(resolve));
  const ms = performance.now() - started;
  return { bytes, lines, ms, peakRss: await stopSampling() };
}

/** The floor: a plain Node HTTP server piping a file to each request. */
async function startFileServer(
  file: string,
  contentType: string,
): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const script = `
    const http = require('node:http');
    const fs = require('node:fs');
    const server = http.createServer((request, response) => {
      response.writeHead(200, { 'content-type': process.env.CONTENT_TYPE });
      fs.createReadStream(process.env.FILE).pipe(response);
    });
    server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
    process.once('SIGTERM', () => server.close(() => process.exit(0)));`;
  const child = spawn(process.execPath, ['-e', script], {
    env: { ...process.env, FILE: file, CONTENT_TYPE: contentType },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [port] = (await once(child.stdout, 'data')) as [Buffer];
  return {
    url: `http://127.0.0.1:${port.toString().trim()}/`,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** A year of reveals by the Admin, from a handful of clients, in the organization. */
async function seedHistory(
  store: PostgresEventStore,
  organizationId: string,
  userId: string,
  count: number,
): Promise<void> {
  const secretIds = Array.from({ length: SECRETS }, () => randomUUID());
  const yearAgo = Date.now() - 365 * 24 * 3600 * 1000;
  const reveal = (index: number): NewEvent => {
    const secretId = secretIds[index % SECRETS];
    const requestId = `req_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
    const { type, schemaVersion, data } = secretEvents.encode({
      type: 'SecretRevealed',
      data: {
        secretId,
        organizationId,
        ownerUserId: userId,
        name: `SERVICE_TOKEN_${index % SECRETS}`,
        version: 1 + (index % 3),
        revealedBy: userId,
        revealedAt: new Date(yearAgo + (index * 365 * 24 * 3600 * 1000) / count).toISOString(),
      },
    });
    return {
      id: randomUUID(),
      type,
      schemaVersion,
      data: data as JsonObject,
      metadata: {
        orgId: organizationId,
        actor: { type: 'user', id: userId },
        requestId,
        correlationId: requestId,
        causationId: requestId,
        ip: `198.51.100.${index % 200}`,
        userAgent: `Mozilla/5.0 (X11; Linux x86_64) OrgplaneCLI/2.${index % 10}.0 node/20.19.0`,
      },
    };
  };
  let next = 0;
  const appendBatches = async () => {
    while (next < count) {
      const from = next;
      next = Math.min(next + APPEND_BATCH, count);
      const batch = Array.from({ length: next - from }, (_, offset) => reveal(from + offset));
      // One secret's reveals per append: one stream per append, as the vault appends.
      const byStream = new Map<string, NewEvent[]>();
      batch.forEach((event, offset) => {
        const stream = secretAccessStreamName(secretIds[(from + offset) % SECRETS]);
        byStream.set(stream, [...(byStream.get(stream) ?? []), event]);
      });
      for (const [stream, events] of byStream) await store.append(stream, events);
    }
  };
  await Promise.all([appendBatches(), appendBatches(), appendBatches()]);
}

async function main(): Promise<void> {
  const startedAt = new Date();
  console.error('Starting identity, membership, audit and the gateway...');
  const stack = await ServiceStack.start(config.databaseUrl, [
    'identity',
    'membership',
    'audit',
    'gateway',
  ]);
  const store = await PostgresEventStore.create({
    connectionString: config.databaseUrl,
    schema: stack.eventStoreSchema,
    poolSize: 4,
  });
  const workDirectory = await mkdtemp(path.join(os.tmpdir(), 'audit-export-bench-'));
  try {
    const pidOf = (service: string) => stack.processes.find((p) => p.service === service)!.pid;
    const pids = { gateway: pidOf('gateway'), audit: pidOf('audit') };
    const api = async <Data = unknown>(
      method: string,
      url: string,
      json?: unknown,
      headers = {},
    ): Promise<{ status: number; body: { data: Data } }> => {
      const response = await fetch(`${stack.gatewayUrl}${url}`, {
        method,
        headers: { ...(json ? { 'content-type': 'application/json' } : {}), ...headers },
        body: json ? JSON.stringify(json) : undefined,
      });
      return { status: response.status, body: (await response.json()) as { data: Data } };
    };
    const signedIn = await api<{ accessToken: string; user: { id: string } }>(
      'POST',
      '/v1/auth/dev/sign-in',
      {
        email: `export-bench-${randomUUID().slice(0, 8)}@example.com`,
      },
    );
    const token: string = signedIn.body.data.accessToken;
    const userId: string = signedIn.body.data.user.id;
    const created = await api<{ id: string }>(
      'POST',
      '/v1/organizations',
      { name: 'Export bench' },
      { authorization: `Bearer ${token}` },
    );
    if (created.status !== 201) throw new Error(`create organization: ${created.status}`);
    const organizationId: string = created.body.data.id;
    const asAdmin = { authorization: `Bearer ${token}`, 'x-org-id': organizationId };

    console.error(`Seeding ${config.entries} events...`);
    const seedStarted = performance.now();
    await seedHistory(store, organizationId, userId, config.entries);
    const seedMs = performance.now() - seedStarted;
    const head = formatPosition((await store.headPosition())!);
    const catchUpStarted = performance.now();
    for (;;) {
      const caughtUp = await api('GET', '/v1/activity?limit=1', undefined, {
        ...asAdmin,
        'x-consistency-position': head,
      });
      if (caughtUp.status === 200) break;
      if (caughtUp.status !== 503) throw new Error(`list: ${JSON.stringify(caughtUp.body)}`);
    }
    const catchUpMs = performance.now() - catchUpStarted;
    console.error(
      `Seeded in ${(seedMs / 1000).toFixed(1)} s; the audit log caught up ` +
        `${(catchUpMs / 1000).toFixed(1)} s later. Idle for ${config.idleMs / 1000} s...`,
    );
    await sleep(config.idleMs);
    const idle = {
      gateway: (await residentMemory(pids.gateway)).rss,
      audit: (await residentMemory(pids.audit)).rss,
    };

    const ndjsonFile = path.join(workDirectory, 'export.ndjson');
    const exportUrl = (format: string) => `${stack.gatewayUrl}/v1/activity/export?format=${format}`;
    const ndjson = await download(exportUrl('ndjson'), asAdmin, pids, ndjsonFile);
    const csv = await download(exportUrl('csv'), asAdmin, pids);
    if (ndjson.lines < config.entries) {
      throw new Error(`the export has ${ndjson.lines} entries, expected ${config.entries} or more`);
    }

    const floorServer = await startFileServer(ndjsonFile, 'application/x-ndjson');
    await sleep(500);
    const floorIdle = (await residentMemory(floorServer.pid)).rss;
    const floor = await download(floorServer.url, {}, { floor: floorServer.pid });
    await floorServer.stop();

    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    const rows = [
      ...(['gateway', 'audit'] as const).flatMap((service) =>
        (
          [
            ['NDJSON', ndjson],
            ['CSV', csv],
          ] as const
        ).map(([format, run]) => [
          `${service}, ${format}`,
          idle[service].toFixed(1),
          run.peakRss[service].toFixed(1),
          (run.peakRss[service] - idle[service]).toFixed(1),
          mb(run.bytes),
          (run.ms / 1000).toFixed(1),
          run.peakRss[service] < TARGET_MB ? 'yes' : 'no',
        ]),
      ),
      [
        'floor: plain Node, same NDJSON bytes',
        floorIdle.toFixed(1),
        floor.peakRss.floor.toFixed(1),
        (floor.peakRss.floor - floorIdle).toFixed(1),
        mb(floor.bytes),
        (floor.ms / 1000).toFixed(1),
        '',
      ],
    ];
    console.log(
      `\nExport of ${ndjson.lines} entries (load average ${loadAverage1m()}); RSS in MB, ` +
        `sampled every ${SAMPLE_EVERY_MS} ms\n`,
    );
    console.log(
      formatTable(
        [
          'process, format',
          'idle RSS',
          'peak RSS',
          'peak - idle',
          'MB sent',
          's',
          `< ${TARGET_MB} MB`,
        ],
        rows,
      ),
    );
    await writeBenchResults(RESULTS_FILE, startedAt, {
      config,
      entries: ndjson.lines,
      seedMs: Math.round(seedMs),
      catchUpMs: Math.round(catchUpMs),
      targetMb: TARGET_MB,
      idleRssMb: idle,
      ndjson: { ...ndjson, ms: Math.round(ndjson.ms) },
      csv: { ...csv, ms: Math.round(csv.ms) },
      floor: { idleRssMb: floorIdle, ...floor, ms: Math.round(floor.ms) },
    });
    const peaks = [ndjson, csv].flatMap((run) => Object.values(run.peakRss));
    if (peaks.some((peak) => peak >= TARGET_MB)) process.exitCode = 1;
  } finally {
    await rm(workDirectory, { recursive: true, force: true });
    await store.close();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
