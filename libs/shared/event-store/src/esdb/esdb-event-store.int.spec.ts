/**
 * The shared contract against a real EventStoreDB / KurrentDB. jest.config.js collects this file
 * only when EVENTSTORE_URL is set (e.g. `esdb://localhost:2113?tls=false`), so it never counts as
 * passed without a server. The contract names its streams and event types uniquely per test, so a
 * shared server is fine; they are left on it (`$all` keeps them until a scavenge anyway).
 */
import { describeEventStoreContract } from '../contract/event-store.contract';
import { EventStoreDbEventStore } from './esdb-event-store';

const eventStoreUrl = process.env.EVENTSTORE_URL;
if (!eventStoreUrl) {
  throw new Error('EVENTSTORE_URL is not set: this spec needs an EventStoreDB server');
}

describeEventStoreContract('EventStoreDB', async () => {
  const store = await EventStoreDbEventStore.connect(eventStoreUrl);
  return { store, cleanup: () => store.close() };
});
