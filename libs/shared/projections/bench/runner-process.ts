import { quietLogger } from '@orgplane/testing';
/**
 * The projection runner "in another process": its own event store and DataSource, so nothing
 * but the store's NOTIFY (or its poll) tells it about the bench's appends, as for a service
 * instance whose neighbour took the write.
 */
import { PostgresEventStore } from '@orgplane/event-store';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { ProjectionRunner } from '../src/projection-runner';
import { orgMembersProjection } from '../src/testing/org-members.fixture';
import {
  helperRequest,
  onStop,
  storeOptions,
  tellBench,
  type BenchDatabase,
} from './bench-processes';

async function main() {
  const database = helperRequest<BenchDatabase>();
  const store = await PostgresEventStore.create(storeOptions(database));
  const dataSource = await new DataSource({
    type: 'postgres',
    url: database.connectionString,
    poolSize: 4,
  }).initialize();
  const runner = new ProjectionRunner(store, dataSource, orgMembersProjection(), {
    schema: database.readSchema,
    logger: quietLogger,
  });
  onStop(async () => {
    await runner.stop();
    await store.close();
    await dataSource.destroy();
  });
  runner.start();
  while (runner.status.state !== 'running') await sleep(10);
  await tellBench({ kind: 'running' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
