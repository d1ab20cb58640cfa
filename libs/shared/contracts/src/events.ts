import type { z } from 'zod';

/** How an event is stored: its type name (past tense), the version of its data's shape, the data. */
export interface StoredEventShape {
  type: string;
  schemaVersion: number;
  data: unknown;
}

type EventDefinitions = Record<string, { schemaVersion: number; data: z.ZodType }>;

/** The union of `{ type, data }` a catalog describes: what deciders and projections work with. */
export type EventOf<Definitions extends EventDefinitions> = {
  [Type in keyof Definitions & string]: { type: Type; data: z.infer<Definitions[Type]['data']> };
}[keyof Definitions & string];

export class UnknownEventError extends Error {
  override readonly name = 'UnknownEventError';
}

/**
 * The events a service stores, each with its schema version and a zod schema for its data. Data is
 * validated both ways: before it is appended and when it is read back, so a stream never feeds a
 * decider or a projection something its types do not describe.
 */
export interface EventCatalog<Event extends { type: string; data: unknown }> {
  encode(event: Event): StoredEventShape;
  /** Narrows to the event's own type when the stored type is known (in a per-type reducer). */
  decode<Type extends Event['type']>(
    stored: StoredEventShape & { type: Type },
  ): Extract<Event, { type: Type }>;
  decode(stored: StoredEventShape): Event;
}

export function defineEventCatalog<Definitions extends EventDefinitions>(
  definitions: Definitions,
): EventCatalog<EventOf<Definitions>> {
  const definitionOf = (type: string, schemaVersion?: number) => {
    const definition = Object.hasOwn(definitions, type) ? definitions[type] : undefined;
    if (
      !definition ||
      (schemaVersion !== undefined && definition.schemaVersion !== schemaVersion)
    ) {
      throw new UnknownEventError(`Unknown event ${type} v${schemaVersion ?? '?'}`);
    }
    return definition;
  };
  return {
    encode(event) {
      const definition = definitionOf(event.type);
      return {
        type: event.type,
        schemaVersion: definition.schemaVersion,
        data: definition.data.parse(event.data),
      };
    },
    decode(stored: StoredEventShape) {
      const definition = definitionOf(stored.type, stored.schemaVersion);
      return { type: stored.type, data: definition.data.parse(stored.data) } as never;
    },
  };
}
