import { ServiceError, type Decider } from '@orgplane/util';
import { handleCommand, type EventCodec } from './command-handler';
import { StreamNotFoundError, WrongExpectedRevisionError } from './errors';
import type { EventMetadata, EventStore, NewEvent, RecordedEvent } from './event-store.port';

type CounterEvent = { type: 'Incremented'; data: { by: number } };
type Increment = { by: number };

const counter: Decider<Increment, number, CounterEvent> = {
  initialState: () => 0,
  decide: ({ by }, total) => {
    if (total + by > 10) throw ServiceError.conflict('too_high', 'The counter stops at 10');
    return by === 0 ? [] : [{ type: 'Incremented', data: { by } }];
  },
  evolve: (total, event) => total + event.data.by,
};

const codec: EventCodec<CounterEvent> = {
  decode: (stored) => ({ type: 'Incremented', data: { by: Number(stored.data.by) } }),
  encode: (event) => ({ type: event.type, schemaVersion: 1, data: event.data }),
};

const metadata: EventMetadata = {
  orgId: null,
  actor: { type: 'system', id: 'test' },
  requestId: 'req_test',
  correlationId: 'req_test',
  causationId: 'req_test',
};

/**
 * Just enough of a store to exercise the handler's own logic; the real adapter, with real
 * concurrency, is in command-handler.int.spec.ts.
 */
function storeWith(
  recorded: RecordedEvent[],
  append: (events: NewEvent[], expectedRevision: unknown) => Promise<unknown>,
) {
  const store = {
    readStream: async (streamName: string) => {
      if (recorded.length === 0) throw new StreamNotFoundError(streamName);
      return recorded;
    },
    append: jest.fn(
      (_stream: string, events: NewEvent[], options?: { expectedRevision?: unknown }) =>
        append(events, options?.expectedRevision),
    ),
  };
  return store as typeof store & EventStore;
}

const incremented = (revision: bigint, by: number): RecordedEvent => ({
  id: `e${revision}`,
  streamName: 'counter-1',
  revision,
  position: { commit: revision + 1n, prepare: 0n },
  type: 'Incremented',
  schemaVersion: 1,
  data: { by },
  metadata,
  createdAt: new Date(),
});

const run = (store: EventStore, by: number, maxRetries?: number) =>
  handleCommand({
    store,
    streamName: 'counter-1',
    decider: counter,
    command: { by },
    codec,
    metadata,
    maxRetries,
  });

describe('handleCommand', () => {
  it('appends to a new stream expecting no stream', async () => {
    const store = storeWith([], async () => ({
      nextExpectedRevision: 0n,
      position: { commit: 5n, prepare: 1n },
    }));
    const result = await run(store, 3);
    expect(store.append).toHaveBeenCalledWith(
      'counter-1',
      [{ type: 'Incremented', schemaVersion: 1, data: { by: 3 }, metadata }],
      { expectedRevision: 'no_stream' },
    );
    expect(result).toEqual({
      events: [{ type: 'Incremented', data: { by: 3 } }],
      state: 3,
      position: { commit: 5n, prepare: 1n },
      nextExpectedRevision: 0n,
    });
  });

  it('folds the stream and expects its last revision', async () => {
    const store = storeWith([incremented(0n, 2), incremented(1n, 2)], async () => ({
      nextExpectedRevision: 2n,
      position: { commit: 9n, prepare: 0n },
    }));
    expect((await run(store, 1)).state).toBe(5);
    expect(store.append.mock.calls[0][2]).toEqual({ expectedRevision: 1n });
  });

  it('appends nothing when the decider records nothing', async () => {
    const store = storeWith([incremented(0n, 2)], async () => undefined);
    expect(await run(store, 0)).toEqual({
      events: [],
      state: 2,
      position: null,
      nextExpectedRevision: 0n,
    });
    expect(store.append).not.toHaveBeenCalled();
  });

  it("lets the decider's refusal through, appending nothing", async () => {
    const store = storeWith([incremented(0n, 9)], async () => undefined);
    await expect(run(store, 2)).rejects.toMatchObject({ kind: 'conflict', code: 'too_high' });
    expect(store.append).not.toHaveBeenCalled();
  });

  it('gives up with 409 concurrent_update after maxRetries conflicts', async () => {
    const store = storeWith([], async (_events, expected) => {
      throw new WrongExpectedRevisionError('counter-1', expected as 'no_stream', 0n);
    });
    await expect(run(store, 1, 2)).rejects.toMatchObject({
      kind: 'conflict',
      code: 'concurrent_update',
    });
    expect(store.append).toHaveBeenCalledTimes(3);
  });
});
