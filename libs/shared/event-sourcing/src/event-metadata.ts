import type { Actor, EventMetadata, RecordedEvent } from '@orgplane/event-store';
import { requireCaller, type RequestContext } from '@orgplane/messaging';

/**
 * The metadata of events a request appends: its trace ids, its organization, and who acted
 * (the caller, unless the command names another actor, e.g. a user signing up).
 */
export function toEventMetadata(
  context: RequestContext,
  orgId: string | null,
  actor: Actor = { type: 'user', id: requireCaller(context).userId },
): EventMetadata {
  return {
    orgId,
    actor,
    requestId: context.requestId,
    correlationId: context.correlationId,
    causationId: context.causationId,
  };
}

/** The recorded form of each event of a union, for per-type projection reducers. */
export type RecordedEventOf<Event extends { type: string }> = {
  [Type in Event['type']]: RecordedEvent<Type>;
}[Event['type']];
