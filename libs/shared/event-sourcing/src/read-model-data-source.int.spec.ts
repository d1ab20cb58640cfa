import {
  startSessionTerminatingProxy,
  testDatabaseUrl,
  type SessionTerminatingProxy,
} from '@orgplane/testing';
import { DataSource } from 'typeorm';
import { readModelDataSourceOptions } from './event-sourcing.module';

// A service's read-model DataSource meets sessions the server ends as soon as they are ready, as in
// a PostgreSQL restart: its connection fails and the process stays. Without the pool's connect
// hook, the server's FATAL message reaches a connection TypeORM has been handed but not yet
// listens to, and the test fails with Jest's "Unhandled error", the error that ended membership's
// process in faults.e2e.

let proxy: SessionTerminatingProxy;

beforeAll(async () => {
  proxy = await startSessionTerminatingProxy(testDatabaseUrl());
});
afterAll(() => proxy.close());

it('a read-model DataSource whose sessions the server ends fails to connect, without an unhandled error', async () => {
  const dataSource = new DataSource(
    readModelDataSourceOptions({
      databaseUrl: proxy.url,
      readModelSchema: 'public',
      entities: [],
      poolMax: 2,
    }),
  );
  await expect(dataSource.initialize()).rejects.toThrow(/not queryable|terminat/);
});
