import { formatPosition, type RecordedEvent } from '@orgplane/event-store';
import type { FoldableEvent } from '../domain/organization-fold';

export function foldableOf(event: RecordedEvent): FoldableEvent {
  return {
    streamName: event.streamName,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    position: formatPosition(event.position),
    recordedAt: event.createdAt.toISOString(),
  };
}
