/**
 * What one benchmark run does and how big it is. Every count is multiplied by BENCH_SCALE, so a
 * smoke check (BENCH_SCALE=0.1) and a longer, steadier run (BENCH_SCALE=3) keep the same shape.
 */

export const SYSTEM_NAMES = ['raw', 'emmett', 'ours'] as const;
export type SystemName = (typeof SYSTEM_NAMES)[number];

export const SYSTEM_LABELS: Record<SystemName, string> = {
  raw: 'raw floor',
  emmett: 'Emmett 0.42',
  ours: 'ours',
};

export const WORKLOADS = [
  'single-append/1-writer',
  'single-append/concurrent',
  'batch-append/1-writer',
  'batch-append/concurrent',
  'read-all',
  'catch-up',
] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface BenchSizes {
  /** writers in the `concurrent` cells; also the pool size of every system */
  writers: number;
  singleAppendsOneWriter: number;
  singleAppendsPerWriter: number;
  /** events per batch in the batch cells (not scaled: the target is stated for 100-event batches) */
  batchSize: number;
  batchesOneWriter: number;
  batchesPerWriter: number;
  /** the store is topped up to this many events before the read and catch-up cells */
  eventsToRead: number;
  /** page size of `$all` reads and batch size of catch-up subscriptions, the same for every system */
  pageSize: number;
}

export interface BenchConfig {
  adminConnectionString: string;
  benchConnectionString: string;
  databaseName: string;
  scale: number;
  repetitions: number;
  systems: SystemName[];
  sizes: BenchSizes;
}

const DATABASE_NAME = 'orgplane_bench';

function positiveNumberFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

function systemsFromEnv(): SystemName[] {
  const text = process.env.BENCH_SYSTEMS;
  if (!text) return [...SYSTEM_NAMES];
  const names = text.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(SYSTEM_NAMES as readonly string[]).includes(name)) {
      throw new Error(`BENCH_SYSTEMS: unknown system ${name} (known: ${SYSTEM_NAMES.join(', ')})`);
    }
  }
  return names as SystemName[];
}

function withDatabase(connectionString: string, databaseName: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${databaseName}`;
  return url.toString();
}

export function loadConfig(): BenchConfig {
  const scale = positiveNumberFromEnv('BENCH_SCALE', 1);
  const scaled = (count: number) => Math.max(1, Math.round(count * scale));
  const writers = Math.round(positiveNumberFromEnv('BENCH_WRITERS', 16));
  const serverUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  return {
    adminConnectionString: serverUrl,
    benchConnectionString: withDatabase(serverUrl, DATABASE_NAME),
    databaseName: DATABASE_NAME,
    scale,
    repetitions: Math.round(positiveNumberFromEnv('BENCH_REPETITIONS', 3)),
    systems: systemsFromEnv(),
    sizes: {
      writers,
      singleAppendsOneWriter: scaled(2000),
      singleAppendsPerWriter: scaled(300),
      batchSize: 100,
      batchesOneWriter: scaled(50),
      batchesPerWriter: scaled(20),
      eventsToRead: scaled(100_000),
      pageSize: 1000,
    },
  };
}
