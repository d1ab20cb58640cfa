import type { EventCatalog } from '@orgplane/contracts';
import { readStreamOrEmpty, type EventStore } from '@orgplane/event-store';

/**
 * A stream's events, decoded with its catalog; none when the stream does not exist. For checks a
 * write makes against another aggregate's own history rather than a read model that may lag.
 */
export async function readHistory<Event extends { type: string; data: unknown }>(
  store: EventStore,
  streamName: string,
  catalog: EventCatalog<Event>,
): Promise<Event[]> {
  const { events } = await readStreamOrEmpty(store, streamName);
  return events.map((event) => catalog.decode(event));
}
