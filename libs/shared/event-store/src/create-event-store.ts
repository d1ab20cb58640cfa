import type { EventStore } from './event-store.port';
import { PostgresEventStore } from './postgres/postgres-event-store';

export interface EventStoreConfig {
  /** `esdb://…` or `esdb+discover://…` (EVENTSTORE_URL): when set, EventStoreDB / KurrentDB is used */
  eventStoreUrl?: string;
  /** the PostgreSQL connection string, used when no event store URL is set */
  databaseUrl: string;
  /** the PostgreSQL schema of the event tables; the Postgres adapter's default when absent */
  schema?: string;
}

/** The event store the configuration names: EventStoreDB when its URL is set, else PostgreSQL. */
export async function createEventStore(config: EventStoreConfig): Promise<EventStore> {
  if (config.eventStoreUrl) {
    // Loaded only when chosen: the gRPC client costs every other service memory for nothing.
    const { EventStoreDbEventStore } = await import('./esdb/esdb-event-store');
    return EventStoreDbEventStore.connect(config.eventStoreUrl);
  }
  return PostgresEventStore.create({ connectionString: config.databaseUrl, schema: config.schema });
}
