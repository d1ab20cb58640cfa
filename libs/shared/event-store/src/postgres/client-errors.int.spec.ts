import { Pool } from 'pg';
import {
  startSessionTerminatingProxy,
  testDatabaseUrl,
  type SessionTerminatingProxy,
} from '@orgplane/testing';
import { keepClientErrorsFromCrashing } from './client-errors';
import { PostgresEventStore } from './postgres-event-store';

// The race keepClientErrorsFromCrashing closes, made to happen every time by a proxy whose sessions
// the server terminates as soon as they are ready (see startSessionTerminatingProxy).

// Without the listener, each test fails with Jest's "Unhandled error" for the FATAL message: the
// error event that would end a service's process.
describe('keepClientErrorsFromCrashing', () => {
  let proxy: SessionTerminatingProxy;

  beforeAll(async () => {
    proxy = await startSessionTerminatingProxy(testDatabaseUrl());
  });
  afterAll(() => proxy.close());

  it('a checkout listened to only after the await, as TypeORM does, fails its query, not the process', async () => {
    const pool = new Pool({ connectionString: proxy.url, max: 1 });
    pool.on('error', () => undefined);
    pool.on('connect', keepClientErrorsFromCrashing);
    try {
      const client = await pool.connect();
      client.on('error', () => undefined);
      await expect(client.query('SELECT 1')).rejects.toThrow(/not queryable|terminat/);
      client.release(true);
    } finally {
      await pool.end();
    }
  });

  it("the event store's own pool: opening the store fails, not the process", async () => {
    await expect(
      PostgresEventStore.create({ connectionString: proxy.url, schema: 'unreachable_store' }),
    ).rejects.toThrow(/not queryable|terminat/);
  });
});
