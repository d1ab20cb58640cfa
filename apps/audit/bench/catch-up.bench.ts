/**
 * Audit projection catch-up: how fast the audit log is built from an event store that already
 * holds a long history (a new deployment, a version change, a rebuild), next to the floor of
 * reading the same events from `$all` in pages of 1000, in the same run. The target is
 * 50,000 events/s or more.
 *
 *   npm run bench:audit-catch-up
 *   BENCH_EVENTS=100000 BENCH_ORGS=20 BENCH_RUNS=3 BENCH_BATCH_SIZE=1000 \
 *     node -r @swc-node/register apps/audit/bench/catch-up.bench.ts
 *
 * Seeds BENCH_EVENTS events (a realistic mix of every service's, see organization-history.fixture)
 * across BENCH_ORGS organizations into a private event-store schema, then per run: a fresh
 * read-model schema, a ProjectionRunner from scratch until its checkpoint reaches the head.
 */
import {
  comparePositions,
  ensureDatabase,
  PostgresEventStore,
  type Position,
} from '@orgplane/event-store';
import { ProjectionRunner, readCheckpoint } from '@orgplane/projections';
import {
  dropSchema,
  loadAverage1m,
  uniqueSchemaName,
  writeBenchResults,
  benchDatabaseUrl,
  positiveInteger,
  quietLogger,
} from '@orgplane/testing';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { AUDIT_ENTRIES_TABLE } from '../src/audit-log/infrastructure/audit-log.tables';
import { auditEntriesProjection } from '../src/audit-log/infrastructure/audit-entries.projection';
import { organizationHistory } from '../src/audit-log/testing/organization-history.fixture';
import type { StreamEvent } from '../src/audit-log/testing/service-events.fixture';

const RESULTS_FILE = path.join(__dirname, 'results', 'catch-up.json');
const TARGET_EVENTS_PER_SECOND = 50_000;
const READ_PAGE = 1000;

const config = {
  connectionString: benchDatabaseUrl(),
  events: positiveInteger('BENCH_EVENTS', 100_000),
  orgs: positiveInteger('BENCH_ORGS', 20),
  runs: positiveInteger('BENCH_RUNS', 3),
  /** events per batch of the projection; default its own */
  batchSize: positiveInteger('BENCH_BATCH_SIZE', auditEntriesProjection.batchSize ?? 100),
};

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Appends each organization's history, a few organizations at a time. Within a window of 200
 * events, the events of one stream go in one append (each stream's own order kept, though a
 * consequence may then precede its cause in `$all`): seeding 100,000 events one append each would
 * take longer than the benchmark itself.
 */
async function seed(store: PostgresEventStore, histories: StreamEvent[][]): Promise<void> {
  const appendHistory = async (history: StreamEvent[]) => {
    for (let start = 0; start < history.length; start += 200) {
      const byStream = new Map<string, StreamEvent['event'][]>();
      for (const { streamName, event } of history.slice(start, start + 200)) {
        byStream.set(streamName, [...(byStream.get(streamName) ?? []), event]);
      }
      for (const [streamName, events] of byStream) await store.append(streamName, events);
    }
  };
  const queue = [...histories];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let history = queue.shift(); history; history = queue.shift()) {
        await appendHistory(history);
      }
    }),
  );
}

async function catchUp(
  store: PostgresEventStore,
  dataSource: DataSource,
  head: Position,
): Promise<{ ms: number; entries: number }> {
  const schema = uniqueSchemaName('audit_bench_read');
  const runner = new ProjectionRunner(store, dataSource, auditEntriesProjection, {
    schema,
    batchSize: config.batchSize,
    logger: quietLogger,
  });
  const started = performance.now();
  runner.start();
  for (;;) {
    const checkpoint = await readCheckpoint(dataSource, schema, auditEntriesProjection.name);
    if (checkpoint && comparePositions(checkpoint, head) >= 0) break;
    if (runner.status.state === 'failing') throw runner.status.error;
    await sleep(10);
  }
  const ms = performance.now() - started;
  await runner.stop();
  const [{ count }] = (await dataSource.query(
    `SELECT count(*)::int AS count FROM "${schema}".${AUDIT_ENTRIES_TABLE}`,
  )) as { count: number }[];
  await dropSchema(config.connectionString, schema);
  return { ms, entries: count };
}

/** The floor: reading the projection's events from `$all`, page after page, doing nothing else. */
async function readEverything(store: PostgresEventStore): Promise<{ ms: number; events: number }> {
  const started = performance.now();
  let events = 0;
  let from: Position | 'start' = 'start';
  for (;;) {
    const page = await store.readAll({
      fromPosition: from,
      maxCount: READ_PAGE,
      filter: auditEntriesProjection.filter,
    });
    events += page.length;
    if (page.length < READ_PAGE) break;
    from = page[page.length - 1].position;
  }
  return { ms: performance.now() - started, events };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const { connectionString } = config;
  await ensureDatabase(connectionString);
  const storeSchema = uniqueSchemaName('audit_bench_events');
  const store = await PostgresEventStore.create({
    connectionString,
    schema: storeSchema,
    poolSize: 5,
  });
  const dataSource = await new DataSource({
    type: 'postgres',
    url: connectionString,
    poolSize: 4,
  }).initialize();
  try {
    const perOrg = Math.ceil(config.events / config.orgs);
    const histories = Array.from({ length: config.orgs }, (_, index) =>
      organizationHistory(perOrg, index + 1),
    );
    const total = histories.reduce((sum, history) => sum + history.length, 0);
    const seedStarted = performance.now();
    await seed(store, histories);
    const seedMs = performance.now() - seedStarted;
    console.log(`Seeded ${total} events in ${(seedMs / 1000).toFixed(1)} s`);
    const head = (await store.headPosition())!;

    const catchUps: { ms: number; entries: number }[] = [];
    const reads: { ms: number; events: number }[] = [];
    for (let run = 1; run <= config.runs; run++) {
      reads.push(await readEverything(store));
      catchUps.push(await catchUp(store, dataSource, head));
      const last = catchUps[catchUps.length - 1];
      console.log(
        `run ${run}: catch-up ${last.ms.toFixed(0)} ms for ${last.entries} entries; ` +
          `readAll ${reads[reads.length - 1].ms.toFixed(0)} ms`,
      );
    }
    const entries = catchUps[0].entries;
    const readEvents = reads[0].events;
    const catchUpRate = entries / (median(catchUps.map(({ ms }) => ms)) / 1000);
    const readRate = readEvents / (median(reads.map(({ ms }) => ms)) / 1000);
    const rows = [
      [
        'audit projection, from scratch to caught up',
        String(entries),
        median(catchUps.map(({ ms }) => ms)).toFixed(0),
        Math.round(catchUpRate).toLocaleString('en-US'),
      ],
      [
        `floor: readAll, pages of ${READ_PAGE}`,
        String(readEvents),
        median(reads.map(({ ms }) => ms)).toFixed(0),
        Math.round(readRate).toLocaleString('en-US'),
      ],
    ];
    console.log(
      `\n${total} events in $all (${config.orgs} organizations), median of ${config.runs} runs, ` +
        `load average ${loadAverage1m()}\n`,
    );
    const header = ['case', 'events', 'ms (median)', 'events/s'];
    console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
    for (const row of rows) console.log(`| ${row.join(' | ')} |`);
    console.log(
      `\ntarget ${TARGET_EVENTS_PER_SECOND.toLocaleString('en-US')} events/s: ` +
        (catchUpRate >= TARGET_EVENTS_PER_SECOND ? 'met' : 'NOT met'),
    );
    await writeBenchResults(RESULTS_FILE, startedAt, {
      config,
      eventsInAll: total,
      seedMs: Math.round(seedMs),
      catchUp: {
        entries,
        runsMs: catchUps.map(({ ms }) => Math.round(ms)),
        eventsPerSecond: Math.round(catchUpRate),
      },
      readAll: {
        events: readEvents,
        runsMs: reads.map(({ ms }) => Math.round(ms)),
        eventsPerSecond: Math.round(readRate),
      },
      targetEventsPerSecond: TARGET_EVENTS_PER_SECOND,
    });
  } finally {
    await dataSource.destroy();
    await store.close();
    await dropSchema(connectionString, storeSchema);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
