import { createEventStore } from '../create-event-store';

// Which adapter the factory picked shows in how it fails to reach a closed port; no server runs.
describe('createEventStore', () => {
  it('connects to EventStoreDB when an event store URL is set', async () => {
    await expect(
      createEventStore({
        eventStoreUrl: 'esdb://127.0.0.1:1?tls=false',
        databaseUrl: 'postgres://127.0.0.1:1/unused',
      }),
    ).rejects.toThrow(/^Cannot reach EventStoreDB at esdb:\/\/127\.0\.0\.1:1/);
  });

  it('uses PostgreSQL when no event store URL is set', async () => {
    await expect(
      createEventStore({ eventStoreUrl: '', databaseUrl: 'postgres://127.0.0.1:1/unused' }),
    ).rejects.toThrow(/ECONNREFUSED 127\.0\.0\.1:1/);
  });

  it('refuses an event store URL that is not an EventStoreDB connection string', async () => {
    await expect(
      createEventStore({
        eventStoreUrl: 'postgres://user:secret@127.0.0.1:1/db',
        databaseUrl: 'postgres://127.0.0.1:1/unused',
      }),
    ).rejects.toThrow('Invalid EventStoreDB connection string postgres://127.0.0.1:1/db');
  });
});
