import type { Actor, EventMetadata, RecordedEvent } from '@orgplane/event-store';
import { requireCaller, type RequestContext } from '@orgplane/messaging';

/**
 * The metadata of events a request appends: its trace ids, its organization, who acted (the
 * caller, unless the command names another actor, e.g. a user signing up) and from where (the
 * HTTP client's address and user agent, when an HTTP request started it).
 *
 * Consequences appended by reactions do not copy the trigger's `ip` and `userAgent`: the platform
 * acted there, from no client; their causation leads to the event that has them.
 */
export function toEventMetadata(
  context: RequestContext,
  orgId: string | null,
  actor: Actor = callerActor(context),
): EventMetadata {
  return {
    orgId,
    actor,
    requestId: context.requestId,
    correlationId: context.correlationId,
    causationId: context.causationId,
    ...(context.clientIp ? { ip: context.clientIp } : {}),
    ...(context.userAgent ? { userAgent: context.userAgent } : {}),
  };
}

/** A user acts as themself; an API key acts for its owner, and the audit trail names both. */
function callerActor(context: RequestContext): Actor {
  const caller = requireCaller(context);
  return caller.type === 'apiKey'
    ? { type: 'api_key', id: caller.keyId, userId: caller.userId }
    : { type: 'user', id: caller.userId };
}

/** The recorded form of each event of a union, for per-type projection reducers. */
export type RecordedEventOf<Event extends { type: string }> = {
  [Type in Event['type']]: RecordedEvent<Type>;
}[Event['type']];
