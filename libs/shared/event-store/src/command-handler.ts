import { ServiceError, foldEvents, type Decider } from '@orgplane/util';
import { StreamNotFoundError, WrongExpectedRevisionError } from './errors';
import {
  NO_STREAM,
  type EventMetadata,
  type EventStore,
  type JsonObject,
  type Position,
  type RecordedEvent,
} from './event-store.port';

/** Turns stored events into the decider's events and back, validating both ways. */
export interface EventCodec<Event> {
  decode(stored: RecordedEvent): Event;
  encode(event: Event): { type: string; schemaVersion: number; data: unknown };
}

export interface HandleCommandOptions<Command, State, Event> {
  store: EventStore;
  streamName: string;
  decider: Decider<Command, State, Event>;
  /**
   * The command; or, for one that needs asynchronous work on the state it will be decided against
   * (sealing a value for the version it will get), a function of that state, called again on
   * every retry, so the stream is read once per attempt.
   */
  command: Command | ((state: State) => Promise<Command>);
  codec: EventCodec<Event>;
  /** carried by every event the command appends */
  metadata: EventMetadata;
  /** how many times to start over after another writer appended first; default 3 */
  maxRetries?: number;
}

export interface CommandResult<State, Event> {
  /** what the command appended; empty when the decider had nothing to record */
  events: Event[];
  /** the stream's state after those events */
  state: State;
  /** position of the last event appended, for read-your-writes; null when nothing was appended */
  position: Position | null;
  /** the stream's revision now: what a next append would expect */
  nextExpectedRevision: bigint | typeof NO_STREAM;
}

type CommandOf<State, Command> = (state: State) => Promise<Command>;

export const DEFAULT_COMMAND_RETRIES = 3;

/**
 * Runs one command against one stream: reads it (a missing stream is the initial state), folds it,
 * decides, and appends expecting exactly the revision it read. When another writer got there
 * first, it starts over from the read, up to `maxRetries` times, then gives up with a 409
 * `concurrent_update`. The decider's own errors (ServiceError) pass through untouched.
 */
export async function handleCommand<Command, State, Event>(
  options: HandleCommandOptions<Command, State, Event>,
): Promise<CommandResult<State, Event>> {
  const { store, streamName, decider, command, codec, metadata } = options;
  const maxRetries = options.maxRetries ?? DEFAULT_COMMAND_RETRIES;
  for (let attempt = 0; ; attempt++) {
    const { events: past, revision } = await readStreamOrEmpty(store, streamName);
    const state = foldEvents(
      decider,
      past.map((event) => codec.decode(event)),
    );
    const events = decider.decide(
      typeof command === 'function' ? await (command as CommandOf<State, Command>)(state) : command,
      state,
    );
    const nextState = events.reduce(decider.evolve, state);
    if (events.length === 0) {
      return { events, state: nextState, position: null, nextExpectedRevision: revision };
    }
    try {
      const appended = await store.append(
        streamName,
        events.map((event) => {
          const { type, schemaVersion, data } = codec.encode(event);
          // Event data schemas describe JSON objects, so encoded data is one.
          return { type, schemaVersion, data: data as JsonObject, metadata };
        }),
        { expectedRevision: revision },
      );
      return {
        events,
        state: nextState,
        position: appended.position,
        nextExpectedRevision: appended.nextExpectedRevision,
      };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      if (attempt >= maxRetries) {
        throw ServiceError.conflict(
          'concurrent_update',
          'Someone else changed this at the same time; try again',
        );
      }
    }
  }
}

/** A stream's events and its revision; none and NO_STREAM when it does not exist. */
export async function readStreamOrEmpty(
  store: EventStore,
  streamName: string,
): Promise<{ events: RecordedEvent[]; revision: bigint | typeof NO_STREAM }> {
  try {
    const events = await store.readStream(streamName);
    return { events, revision: events.length ? events[events.length - 1].revision : NO_STREAM };
  } catch (error) {
    if (error instanceof StreamNotFoundError) return { events: [], revision: NO_STREAM };
    throw error;
  }
}
