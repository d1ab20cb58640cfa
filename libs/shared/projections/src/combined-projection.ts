import type { Projection } from './projection';

/**
 * Several read-model tables kept by one runner: one checkpoint, one subscription and one pooled
 * connection for all of them, and every event applied to all of them in the same transaction.
 * Each part is still a projection of its own (one file per table, one reducer per event type), and
 * each writes only its own table, so applying the batch part after part equals applying it event
 * after event.
 */
export function combinedProjection(
  name: string,
  parts: readonly Projection[],
  /** of the whole; raise it when any part's shape changes (see Projection.version) */
  { version = 1 }: { version?: number } = {},
): Projection {
  const eventTypes = new Set<string>();
  for (const part of parts) {
    if (!('eventTypes' in part.filter)) {
      throw new Error(`Projection ${part.name} must filter by event type to be combined`);
    }
    for (const type of part.filter.eventTypes) eventTypes.add(type);
  }
  return {
    name,
    version,
    tables: parts.flatMap((part) => part.tables),
    filter: { eventTypes: [...eventTypes] },
    async setup(context) {
      for (const part of parts) await part.setup(context);
    },
    async reset(context) {
      for (const part of parts) await part.reset(context);
    },
    async apply(events, context) {
      for (const part of parts) await part.apply(events, context);
    },
  };
}
