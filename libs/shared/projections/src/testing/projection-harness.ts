import { type EventStore, PostgresEventStore } from '@orgplane/event-store';
// Specs may use the testing library; the tag rules only mean to keep it out of production code.
import { dropSchema, testDatabaseUrl, uniqueSchemaName } from '@orgplane/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { Projection } from '../projection';
import { projectionLockKey } from '../projection-lock';
import {
  type ProjectionLogger,
  ProjectionRunner,
  type ProjectionRunnerOptions,
} from '../projection-runner';

/** One DataSource per spec file; a fresh event store and read-model schema per test. */
export async function openDataSource(): Promise<DataSource> {
  const url = testDatabaseUrl();
  // Every runner holds one connection and standbys borrow one now and then: a few suffice.
  return new DataSource({ type: 'postgres', url, poolSize: 4 }).initialize();
}

export interface ProjectionHarness {
  store: EventStore;
  /** the read models' schema */
  schema: string;
  logs: string[];
  runner(projection: Projection, options?: ProjectionRunnerOptions): ProjectionRunner;
  /** the backend holding the projection's lock, or null */
  lockHolder(name: string): Promise<number | null>;
  terminateBackend(pid: number): Promise<void>;
  close(): Promise<void>;
}

export async function openHarness(dataSource: DataSource): Promise<ProjectionHarness> {
  const url = testDatabaseUrl();
  const storeSchema = uniqueSchemaName('projections_store');
  const schema = uniqueSchemaName('projections_read');
  const store = await PostgresEventStore.create({
    connectionString: url,
    schema: storeSchema,
    poolSize: 3,
  });
  const runners: ProjectionRunner[] = [];
  const logs: string[] = [];
  const logger: ProjectionLogger = {
    log: (message) => logs.push(message),
    warn: (message) => logs.push(message),
    error: (message) => logs.push(message),
  };
  const admin = async <T>(work: (client: Client) => Promise<T>) => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };

  return {
    store,
    schema,
    logs,
    runner(projection, options) {
      const runner = new ProjectionRunner(store, dataSource, projection, {
        schema,
        batchSize: 4,
        lockRetryIntervalMs: 50,
        retryDelayMs: 50,
        logger,
        ...options,
      });
      runners.push(runner);
      return runner;
    },
    lockHolder: (name) =>
      admin(async (client) => {
        const key = BigInt.asUintN(64, projectionLockKey(schema, name));
        const { rows } = await client.query<{ pid: number }>(
          `SELECT pid FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND objsubid = 1
              AND classid = $1::bigint::oid AND objid = $2::bigint::oid`,
          [(key >> 32n).toString(), (key & 0xffffffffn).toString()],
        );
        return rows[0]?.pid ?? null;
      }),
    terminateBackend: (pid) =>
      admin(async (client) => {
        await client.query('SELECT pg_terminate_backend($1)', [pid]);
      }),
    async close() {
      await Promise.all(runners.map((runner) => runner.stop()));
      await store.close();
      await dropSchema(url, schema);
      await dropSchema(url, storeSchema);
    },
  };
}
