import { isUuid, newId } from '@orgplane/util';
import { ANY, type ExpectedRevision, type NewEvent } from '../event-store.port';

/** The expectation as the schema's functions take it: a kind, and the revision when exact. */
export function expectationParameters(expected: ExpectedRevision): [string, string | null] {
  if (typeof expected !== 'bigint') return [expected, null];
  if (expected < 0n) throw new RangeError(`An expected revision is 0 or more, got ${expected}`);
  return ['exact', expected.toString()];
}

export function expectedRevisionOf(options?: { expectedRevision?: ExpectedRevision }) {
  return options?.expectedRevision ?? ANY;
}

/**
 * The events as one JSON array for `append_events`: a single parameter that PostgreSQL splits
 * into rows, whatever the batch size. Events without an id get a fresh one here, so only callers
 * that pass their own ids can retry idempotently.
 */
export function appendPayload(events: NewEvent[]): string {
  return JSON.stringify(
    events.map((event) => {
      if (event.id !== undefined && !isUuid(event.id)) {
        throw new TypeError(`Event ids are uuids, got "${event.id}"`);
      }
      return {
        id: event.id ?? newId(),
        type: event.type,
        schemaVersion: event.schemaVersion,
        data: event.data,
        metadata: event.metadata,
      };
    }),
  );
}
