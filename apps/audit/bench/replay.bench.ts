/**
 * History replay: time to an organization's state as of an instant, for an organization with
 * 100,000 events (the target: 300 ms or less), from the latest snapshot already decoded in
 * memory (warm), from the snapshot read and decoded anew, and from the first event (cold), next to
 * their floors in the same run: reading the same events from the store (and loading the snapshot)
 * without folding them.
 *
 *   npm run bench:replay
 *   BENCH_EVENTS=100000 BENCH_RUNS=7 node -r @swc-node/register apps/audit/bench/replay.bench.ts
 *
 * Seeds the events (a realistic mix of every service's, see organization-history.fixture) into a
 * private event-store schema, lets the snapshot projection catch up from scratch (its rate is
 * reported too), then replays to instants spread over the history.
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
  benchDatabaseUrl,
  positiveInteger,
  quietLogger,
} from '@orgplane/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { organizationHistory } from '../src/audit-log/testing/organization-history.fixture';
import type { StreamEvent } from '../src/audit-log/testing/service-events.fixture';
import { OrganizationHistory } from '../src/history/application/organization-history';
import { isFolded } from '../src/history/domain/organization-fold';
import { HistorySnapshotsProjection } from '../src/history/infrastructure/history-snapshots.projection';
import {
  HistorySnapshotsQuery,
  type ReplayMoment,
} from '../src/history/infrastructure/history-snapshots.query';
import { SNAPSHOT_EVERY } from '../src/history/infrastructure/history.tables';

const TARGET_MS = 300;
const READ_PAGE = 2000;
/** where in the history the instants fall */
const FRACTIONS = [0.1, 0.25, 0.5, 0.75, 0.9, 0.999, 1];

const config = {
  connectionString: benchDatabaseUrl(),
  events: positiveInteger('BENCH_EVENTS', 100_000),
  runs: positiveInteger('BENCH_RUNS', 7),
  coldRuns: positiveInteger('BENCH_COLD_RUNS', 2),
};

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const median = (values: number[]) => sorted(values)[Math.floor(values.length / 2)];
const p90 = (values: number[]) => sorted(values)[Math.ceil(values.length * 0.9) - 1];
const ms = (value: number) => value.toFixed(1);

/** In windows of 200 events, each stream's events in one append, each stream's order kept. */
async function seed(store: PostgresEventStore, history: StreamEvent[]): Promise<void> {
  for (let start = 0; start < history.length; start += 200) {
    const byStream = new Map<string, StreamEvent['event'][]>();
    for (const { streamName, event } of history.slice(start, start + 200)) {
      const events = byStream.get(streamName);
      if (events) events.push(event);
      else byStream.set(streamName, [event]);
    }
    for (const [streamName, events] of byStream) await store.append(streamName, events);
  }
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, result };
}

/** The floor: the organization's events from `from` up to the moment, read and nothing else. */
async function readOnly(
  store: PostgresEventStore,
  organizationId: string,
  from: Position | 'start',
  until: Date,
): Promise<number> {
  let events = 0;
  for (let cursor = from; ;) {
    const page = await store.readAll({
      filter: { organizationId },
      fromPosition: cursor,
      maxCount: READ_PAGE,
    });
    for (const event of page) {
      if (event.createdAt > until) return events;
      events += 1;
    }
    if (page.length < READ_PAGE) return events;
    cursor = page[page.length - 1].position;
  }
}

async function main(): Promise<void> {
  const { connectionString } = config;
  await ensureDatabase(connectionString);
  const storeSchema = uniqueSchemaName('history_bench_events');
  const schema = uniqueSchemaName('history_bench_read');
  const store = await PostgresEventStore.create({ connectionString, schema: storeSchema });
  const dataSource = await new DataSource({
    type: 'postgres',
    url: connectionString,
    poolSize: 4,
  }).initialize();
  try {
    const history = organizationHistory(config.events, 42);
    const organizationId = history.find((item) => item.event.metadata.orgId)!.event.metadata.orgId!;
    const seeded = await timed(() => seed(store, history));
    console.log(`Seeded ${history.length} events in ${(seeded.ms / 1000).toFixed(1)} s`);
    const recorded = (await store.readAll({ filter: { organizationId } })).filter((event) =>
      isFolded(event.streamName),
    );
    const head = recorded[recorded.length - 1].position;

    const projection = new HistorySnapshotsProjection();
    const runner = new ProjectionRunner(store, dataSource, projection, {
      schema,
      logger: quietLogger,
    });
    const catchUp = await timed(async () => {
      runner.start();
      for (;;) {
        const checkpoint = await readCheckpoint(dataSource, schema, projection.name);
        if (checkpoint && comparePositions(checkpoint, head) >= 0) return;
        if (runner.status.state === 'failing') throw runner.status.error;
        await sleep(10);
      }
    });
    await runner.stop();

    const snapshots = new HistorySnapshotsQuery(
      (text, parameters) => dataSource.query(text, parameters),
      schema,
    );
    const warm = new OrganizationHistory(store, snapshots);
    const cold = new OrganizationHistory(store, null);

    const rows: string[] = [];
    let worstWarmP90 = 0;
    let worstAnewP90 = 0;
    for (const fraction of FRACTIONS) {
      const index = Math.min(recorded.length - 1, Math.floor(recorded.length * fraction));
      const at = recorded[index].createdAt;
      const moment: ReplayMoment = { at };
      // the snapshot in memory, as a replay near an earlier one finds it
      await warm.stateAt(organizationId, moment);
      const warmRuns: number[] = [];
      let folded = 0;
      for (let run = 0; run < config.runs; run++) {
        const { ms: took, result } = await timed(() => warm.stateAt(organizationId, moment));
        warmRuns.push(took);
        folded = result.eventCount;
      }
      const anewRuns: number[] = [];
      for (let run = 0; run < config.runs; run++) {
        const anew = new OrganizationHistory(store, snapshots);
        anewRuns.push((await timed(() => anew.stateAt(organizationId, moment))).ms);
      }
      const snapshotFloor: number[] = [];
      let tail = 0;
      for (let run = 0; run < config.runs; run++) {
        const { ms: took, result } = await timed(async () => {
          const position = await snapshots.latestBefore(organizationId, moment);
          if (position) await snapshots.load(organizationId, position);
          return readOnly(store, organizationId, position ?? 'start', at);
        });
        snapshotFloor.push(took);
        tail = result;
      }
      const coldRuns: number[] = [];
      const readFloor: number[] = [];
      for (let run = 0; run < config.coldRuns; run++) {
        coldRuns.push((await timed(() => cold.stateAt(organizationId, moment))).ms);
        readFloor.push((await timed(() => readOnly(store, organizationId, 'start', at))).ms);
      }
      worstWarmP90 = Math.max(worstWarmP90, p90(warmRuns));
      worstAnewP90 = Math.max(worstAnewP90, p90(anewRuns));
      rows.push(
        `| ${(fraction * 100).toFixed(1)}% | ${folded} | ${tail} | ${ms(median(warmRuns))} | ` +
          `${ms(p90(warmRuns))} | ${ms(median(anewRuns))} | ${ms(p90(anewRuns))} | ` +
          `${ms(median(snapshotFloor))} | ${ms(median(coldRuns))} | ` +
          `${ms(median(readFloor))} |`,
      );
    }

    const [{ count, bytes, stored }] = (await dataSource.query(
      `SELECT count(*)::int AS count, coalesce(sum(length(fold)), 0)::bigint AS bytes,
              pg_total_relation_size('"${schema}".history_snapshots')::bigint AS stored
         FROM "${schema}".history_snapshots`,
    )) as { count: number; bytes: string; stored: string }[];
    const megabytes = (text: string) => (Number(text) / 1e6).toFixed(1);
    console.log(
      `\nHistory replay, one organization of ${recorded.length} events ` +
        `(snapshot every ${SNAPSHOT_EVERY}; ${count} snapshots, ${megabytes(bytes)} MB of fold text, ` +
        `${megabytes(stored)} MB stored); ${config.runs} warm runs, ${config.coldRuns} cold runs ` +
        `per instant, load average ${loadAverage1m()}, times in ms\n`,
    );
    console.log(
      '| instant (share of history) | events folded | events after snapshot | warm median | warm p90 | snapshot read anew median | anew p90 | floor: snapshot + read tail | cold (full fold) median | floor: read all to instant |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
    const rate = Math.round(recorded.length / (catchUp.ms / 1000));
    console.log(
      `\nSnapshot projection catch-up from scratch: ${(catchUp.ms / 1000).toFixed(1)} s, ${rate} events/s`,
    );
    console.log(
      `Target: replay to an instant <= ${TARGET_MS} ms: worst warm p90 ${ms(worstWarmP90)} ms, ` +
        `${worstWarmP90 <= TARGET_MS ? 'met' : 'NOT met'}; snapshot read anew, worst p90 ` +
        `${ms(worstAnewP90)} ms, ${worstAnewP90 <= TARGET_MS ? 'met' : 'NOT met'}`,
    );
  } finally {
    await store.close();
    await dataSource.destroy();
    await dropSchema(connectionString, storeSchema);
    await dropSchema(connectionString, schema);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
