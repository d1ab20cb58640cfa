/**
 * The event store contract: what every adapter of the port must do, as Jest tests. An adapter's
 * spec calls `describeEventStoreContract` with a factory; the suite creates one store, uses
 * stream names and event types of its own (so a store that already holds events, like a shared
 * EventStoreDB, passes too), and calls `cleanup` at the end. Only the port is used here.
 */
import { randomUUID } from 'node:crypto';
import { StreamDeletedError, StreamNotFoundError, WrongExpectedRevisionError } from '../errors';
import {
  NO_STREAM,
  STREAM_EXISTS,
  type EventFilter,
  type EventStore,
  type ExpectedRevision,
  type JsonObject,
  type NewEvent,
  type Position,
  type RecordedEvent,
  type Subscription,
} from '../event-store.port';
import { comparePositions } from '../position';

export interface ContractStore {
  store: EventStore;
  /** closes the store and removes what it stored */
  cleanup: () => Promise<void>;
}

const WAIT_TIMEOUT_MS = 10_000;

const sleep = (milliseconds: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

/** A name no other test (nor an earlier run against the same store) uses: prefix + 12 hex. */
function uniqueName(prefix: string): string {
  return `${prefix}${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

function newEvent(type = 'ThingHappened', data: JsonObject = {}): NewEvent {
  return {
    id: randomUUID(),
    type,
    schemaVersion: 1,
    data,
    metadata: {
      orgId: randomUUID(),
      actor: { type: 'user', id: 'user-1' },
      requestId: 'req_contract',
      correlationId: randomUUID(),
      causationId: randomUUID(),
    },
  };
}

function inOrganization(event: NewEvent, organizationId: string): NewEvent {
  return { ...event, metadata: { ...event.metadata, orgId: organizationId } };
}

function newEvents(count: number, type?: string): NewEvent[] {
  return Array.from({ length: count }, (_, index) => newEvent(type, { index }));
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail, it succeeded');
    },
    (error: unknown) => error,
  );
}

async function expectWrongExpectedRevision(
  promise: Promise<unknown>,
  actual: bigint | 'no_stream',
): Promise<void> {
  const error = await failure(promise);
  expect(error).toBeInstanceOf(WrongExpectedRevisionError);
  expect((error as WrongExpectedRevisionError).actual).toBe(actual);
}

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_TIMEOUT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

function expectIncreasingPositions(events: RecordedEvent[]): void {
  for (let index = 1; index < events.length; index++) {
    expect(comparePositions(events[index - 1].position, events[index].position)).toBe(-1);
  }
}

const idsOf = (events: { id?: string }[]) => events.map((event) => event.id);

/** A subscription that records what it gets, for tests to wait on and inspect. */
function recordingSubscription(
  store: EventStore,
  options: { fromPosition?: Position | 'start' | 'end'; filter?: EventFilter; batchSize?: number },
) {
  const events: RecordedEvent[] = [];
  const batchSizes: number[] = [];
  const checkpoints: Position[] = [];
  const handlerCalls = { running: 0, mostAtOnce: 0 };
  const subscription: Subscription = store.subscribeToAll(
    async (batch) => {
      handlerCalls.running += 1;
      handlerCalls.mostAtOnce = Math.max(handlerCalls.mostAtOnce, handlerCalls.running);
      batchSizes.push(batch.length);
      events.push(...batch);
      await sleep(0); // gives a second, overlapping call the chance to show itself
      handlerCalls.running -= 1;
    },
    { ...options, onCheckpoint: (position) => void checkpoints.push(position) },
  );
  return {
    events,
    batchSizes,
    checkpoints,
    handlerCalls,
    subscription,
    waitForCount: (count: number) =>
      waitUntil(() => events.length >= count, `${count} events arrived (got ${events.length})`),
  };
}

export function describeEventStoreContract(
  name: string,
  createStore: () => Promise<ContractStore>,
): void {
  describe(`${name}: event store contract`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;
    const subscriptions: Subscription[] = [];
    /** subscribes, and stops the subscription after the test whatever happens */
    const record = (options: Parameters<typeof recordingSubscription>[1]) => {
      const recording = recordingSubscription(store, options);
      subscriptions.push(recording.subscription);
      return recording;
    };

    beforeAll(async () => {
      ({ store, cleanup } = await createStore());
    });

    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((subscription) => subscription.stop()));
    });

    afterAll(async () => {
      await cleanup?.();
    });

    describe('append', () => {
      it('creates a stream with no_stream, numbering revisions from 0, and keeps every field', async () => {
        const stream = uniqueName('order-');
        const events = newEvents(3);
        const startedAt = Date.now();

        const result = await store.append(stream, events, { expectedRevision: NO_STREAM });

        const stored = await store.readStream(stream);
        expect(result.nextExpectedRevision).toBe(2n);
        expect(stored.map((event) => event.revision)).toEqual([0n, 1n, 2n]);
        expect(result.position).toEqual(stored[2].position);
        expectIncreasingPositions(stored);
        stored.forEach((event, index) => {
          expect(event).toMatchObject({
            id: events[index].id,
            streamName: stream,
            type: events[index].type,
            schemaVersion: 1,
            data: events[index].data,
            metadata: events[index].metadata,
          });
          expect(event.createdAt).toBeInstanceOf(Date);
          expect(Math.abs(event.createdAt.getTime() - startedAt)).toBeLessThan(60_000);
        });
      });

      it('continues a stream at the exact expected revision', async () => {
        const stream = uniqueName('order-');
        const first = await store.append(stream, newEvents(2), { expectedRevision: NO_STREAM });

        const second = await store.append(stream, newEvents(1), {
          expectedRevision: first.nextExpectedRevision,
        });

        expect(second.nextExpectedRevision).toBe(2n);
        expect(comparePositions(second.position, first.position)).toBe(1);
        expect((await store.readStream(stream)).map((event) => event.revision)).toEqual([
          0n,
          1n,
          2n,
        ]);
      });

      it('appends with any (the default) whether the stream exists or not', async () => {
        const stream = uniqueName('order-');

        await store.append(stream, newEvents(1));
        const result = await store.append(stream, newEvents(2), { expectedRevision: 'any' });

        expect(result.nextExpectedRevision).toBe(2n);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('appends with stream_exists only to a stream that has events', async () => {
        const stream = uniqueName('order-');

        await expectWrongExpectedRevision(
          store.append(stream, newEvents(1), { expectedRevision: STREAM_EXISTS }),
          'no_stream',
        );
        await store.append(stream, newEvents(1), { expectedRevision: NO_STREAM });
        const result = await store.append(stream, newEvents(1), {
          expectedRevision: STREAM_EXISTS,
        });

        expect(result.nextExpectedRevision).toBe(1n);
      });

      it('rejects a wrong expectation with the actual revision and writes nothing', async () => {
        const stream = uniqueName('order-');
        const missing = uniqueName('order-');
        const written = newEvents(2);
        await store.append(stream, written, { expectedRevision: NO_STREAM });

        for (const expectedRevision of [0n, 2n, 7n, NO_STREAM] as ExpectedRevision[]) {
          await expectWrongExpectedRevision(
            store.append(stream, newEvents(2), { expectedRevision }),
            1n,
          );
        }
        await expectWrongExpectedRevision(
          store.append(missing, newEvents(1), { expectedRevision: 0n }),
          'no_stream',
        );

        expect(idsOf(await store.readStream(stream))).toEqual(idsOf(written));
        await expect(store.readStream(missing)).rejects.toBeInstanceOf(StreamNotFoundError);
      });

      it('gives events without an id a fresh one', async () => {
        const stream = uniqueName('order-');
        const withoutIds = newEvents(2).map(({ id: _id, ...event }) => event);

        await store.append(stream, withoutIds);

        const [first, second] = await store.readStream(stream);
        expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(second.id).not.toBe(first.id);
      });

      it('lets exactly one of several concurrent no_stream appends win', async () => {
        const stream = uniqueName('order-');

        const outcomes = await Promise.allSettled(
          Array.from({ length: 8 }, () =>
            store.append(stream, newEvents(1), { expectedRevision: NO_STREAM }),
          ),
        );

        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') {
            expect(outcome.reason).toBeInstanceOf(WrongExpectedRevisionError);
          }
        }
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('idempotent append by event id', () => {
      it('succeeds without writing when the same events come again at the same place', async () => {
        const stream = uniqueName('order-');
        const opening = newEvents(2);
        const next = newEvents(1);
        const openingResult = await store.append(stream, opening, { expectedRevision: NO_STREAM });
        const nextResult = await store.append(stream, next, { expectedRevision: 1n });

        expect(await store.append(stream, opening, { expectedRevision: NO_STREAM })).toEqual(
          openingResult,
        );
        expect(await store.append(stream, next, { expectedRevision: 1n })).toEqual(nextResult);
        expect(idsOf(await store.readStream(stream))).toEqual(idsOf([...opening, ...next]));
      });

      it('succeeds without writing when events appended with any come again', async () => {
        const stream = uniqueName('order-');
        const first = newEvents(2);
        const firstResult = await store.append(stream, first);
        await store.append(stream, newEvents(1));

        expect(await store.append(stream, first)).toEqual(firstResult);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('treats a partial overlap as a wrong expected revision and writes nothing', async () => {
        const stream = uniqueName('order-');
        const [a, b] = newEvents(2);
        await store.append(stream, [a, b], { expectedRevision: NO_STREAM });

        await expectWrongExpectedRevision(
          store.append(stream, [b, newEvent()], { expectedRevision: 0n }),
          1n,
        );
        await expectWrongExpectedRevision(
          store.append(stream, [a, newEvent()], { expectedRevision: NO_STREAM }),
          1n,
        );
        await expect(store.append(stream, [b, newEvent()])).rejects.toBeInstanceOf(
          WrongExpectedRevisionError,
        );

        expect(idsOf(await store.readStream(stream))).toEqual(idsOf([a, b]));
      });
    });

    describe('readStream', () => {
      let stream: string;
      const revisionsOf = (events: RecordedEvent[]) => events.map((event) => event.revision);

      beforeAll(async () => {
        stream = uniqueName('order-');
        await store.append(stream, newEvents(10), { expectedRevision: NO_STREAM });
      });

      it('reads forwards from a revision, at most maxCount', async () => {
        const events = await store.readStream(stream, { fromRevision: 3n, maxCount: 4 });
        expect(revisionsOf(events)).toEqual([3n, 4n, 5n, 6n]);
      });

      it('reads backwards from the end, or from a revision', async () => {
        expect(
          revisionsOf(await store.readStream(stream, { direction: 'backwards', maxCount: 3 })),
        ).toEqual([9n, 8n, 7n]);
        expect(
          revisionsOf(
            await store.readStream(stream, {
              direction: 'backwards',
              fromRevision: 5n,
              maxCount: 2,
            }),
          ),
        ).toEqual([5n, 4n]);
      });

      it('raises StreamNotFoundError for a stream that never existed', async () => {
        await expect(store.readStream(uniqueName('order-'))).rejects.toBeInstanceOf(
          StreamNotFoundError,
        );
      });
    });

    describe('deleting streams', () => {
      it('soft delete hides the stream; a later append continues its revisions', async () => {
        const stream = uniqueName('order-');
        await store.append(stream, newEvents(3), { expectedRevision: NO_STREAM });

        await store.deleteStream(stream, { expectedRevision: 2n });
        await expect(store.readStream(stream)).rejects.toBeInstanceOf(StreamNotFoundError);

        const later = newEvents(1);
        const result = await store.append(stream, later);
        expect(result.nextExpectedRevision).toBe(3n);
        const visible = await store.readStream(stream);
        expect(visible.map((event) => [event.id, event.revision])).toEqual([[later[0].id, 3n]]);
        expect((await store.getStreamMetadata(stream)).truncateBefore).toBe(3n);
      });

      it('does not delete a stream at another revision than expected', async () => {
        const stream = uniqueName('order-');
        await store.append(stream, newEvents(2), { expectedRevision: NO_STREAM });

        await expectWrongExpectedRevision(store.deleteStream(stream, { expectedRevision: 0n }), 1n);
        await expectWrongExpectedRevision(
          store.tombstoneStream(stream, { expectedRevision: 5n }),
          1n,
        );

        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('tombstone forbids the stream for good', async () => {
        const stream = uniqueName('order-');
        await store.append(stream, newEvents(2), { expectedRevision: NO_STREAM });

        await store.tombstoneStream(stream, { expectedRevision: 1n });

        await expect(store.readStream(stream)).rejects.toBeInstanceOf(StreamDeletedError);
        await expect(store.append(stream, newEvents(1))).rejects.toBeInstanceOf(StreamDeletedError);
        await expect(
          store.append(stream, newEvents(1), { expectedRevision: NO_STREAM }),
        ).rejects.toBeInstanceOf(StreamDeletedError);
        await expect(store.deleteStream(stream)).rejects.toBeInstanceOf(StreamDeletedError);
      });
    });

    describe('stream metadata', () => {
      it('round-trips, custom fields included; a stream without any has {}', async () => {
        const stream = uniqueName('order-');
        const metadata = { maxCount: 5, maxAge: 3600, truncateBefore: 2n, owner: 'team-a' };

        await store.setStreamMetadata(stream, metadata);

        expect(await store.getStreamMetadata(stream)).toEqual(metadata);
        expect(await store.getStreamMetadata(uniqueName('order-'))).toEqual({});
      });

      it('maxCount keeps only the newest events visible', async () => {
        const stream = uniqueName('order-');
        await store.append(stream, newEvents(5), { expectedRevision: NO_STREAM });

        await store.setStreamMetadata(stream, { maxCount: 2 });

        const events = await store.readStream(stream);
        expect(events.map((event) => event.revision)).toEqual([3n, 4n]);
      });

      it('truncateBefore hides the revisions before it', async () => {
        const stream = uniqueName('order-');
        await store.append(stream, newEvents(5), { expectedRevision: NO_STREAM });

        await store.setStreamMetadata(stream, { truncateBefore: 3n });

        const events = await store.readStream(stream);
        expect(events.map((event) => event.revision)).toEqual([3n, 4n]);
      });

      it('maxAge hides events older than it', async () => {
        const stream = uniqueName('order-');
        await store.append(stream, newEvents(2), { expectedRevision: NO_STREAM });
        await store.setStreamMetadata(stream, { maxAge: 1 });
        await sleep(1_500);

        const fresh = newEvents(1);
        await store.append(stream, fresh, { expectedRevision: 1n });

        expect(idsOf(await store.readStream(stream))).toEqual(idsOf(fresh));
      });
    });

    describe('readAll', () => {
      let aggregate: string;
      let typePrefix: string;
      let appended: RecordedEvent[];

      /** three streams of one aggregate, appended to in turns; a type prefix of their own */
      beforeAll(async () => {
        aggregate = uniqueName('invoice');
        typePrefix = uniqueName('Invoice');
        const streams = [1, 2, 3].map((n) => `${aggregate}-${n}`);
        for (let round = 0; round < 2; round++) {
          for (const stream of streams) {
            const type = `${typePrefix}${round === 0 ? 'Opened' : 'Paid'}`;
            await store.append(stream, [newEvent(type)]);
          }
        }
        appended = await store.readAll({ filter: { streamNamePrefixes: [`${aggregate}-`] } });
      });

      it('reads forwards in append order, filtered by stream name prefix', async () => {
        expect(appended).toHaveLength(6);
        expect(appended.map((event) => event.streamName)).toEqual([
          `${aggregate}-1`,
          `${aggregate}-2`,
          `${aggregate}-3`,
          `${aggregate}-1`,
          `${aggregate}-2`,
          `${aggregate}-3`,
        ]);
        expectIncreasingPositions(appended);
      });

      it('reads forwards after a position (exclusive), at most maxCount', async () => {
        const events = await store.readAll({
          fromPosition: appended[1].position,
          maxCount: 3,
          filter: { streamNamePrefixes: [`${aggregate}-`] },
        });
        expect(idsOf(events)).toEqual(idsOf(appended.slice(2, 5)));
      });

      it('reads backwards from the end, or before a position (exclusive)', async () => {
        const filter = { streamNamePrefixes: [`${aggregate}-`] };
        const fromEnd = await store.readAll({ direction: 'backwards', filter, maxCount: 2 });
        const beforeFourth = await store.readAll({
          direction: 'backwards',
          fromPosition: appended[3].position,
          filter,
        });

        expect(idsOf(fromEnd)).toEqual(idsOf([appended[5], appended[4]]));
        expect(idsOf(beforeFourth)).toEqual(idsOf(appended.slice(0, 3).reverse()));
      });

      it('filters by event type prefix and by exact event type', async () => {
        const byPrefix = await store.readAll({ filter: { eventTypePrefixes: [typePrefix] } });
        const paid = await store.readAll({ filter: { eventTypes: [`${typePrefix}Paid`] } });

        expect(idsOf(byPrefix)).toEqual(idsOf(appended));
        expect(idsOf(paid)).toEqual(idsOf(appended.slice(3)));
      });

      describe('by organization', () => {
        let organizationId: string;
        let ofOrganization: RecordedEvent[];

        /** two organizations' events interleaved over their streams, then another one's */
        beforeAll(async () => {
          organizationId = randomUUID();
          const otherOrganizationId = randomUUID();
          const stream = uniqueName('account');
          for (let round = 0; round < 3; round++) {
            await store.append(`${stream}-1`, [inOrganization(newEvent(), organizationId)]);
            await store.append(`${stream}-2`, [inOrganization(newEvent(), otherOrganizationId)]);
            await store.append(`${stream}-3`, [
              inOrganization(newEvent(), organizationId),
              inOrganization(newEvent(), organizationId),
            ]);
          }
          await store.append(`${stream}-4`, [newEvent()]);
          ofOrganization = await store.readAll({ filter: { organizationId } });
        });

        it("reads only the organization's events, forwards in $all order", async () => {
          expect(ofOrganization).toHaveLength(9);
          expect(ofOrganization.every((event) => event.metadata.orgId === organizationId)).toBe(
            true,
          );
          expectIncreasingPositions(ofOrganization);
        });

        it('stops at an end position, inclusive, and pages after a position', async () => {
          const filter = { organizationId };
          const untilFifth = await store.readAll({
            filter,
            toPosition: ofOrganization[4].position,
          });
          const page = await store.readAll({
            filter,
            fromPosition: ofOrganization[1].position,
            toPosition: ofOrganization[7].position,
            maxCount: 3,
          });
          const rest = await store.readAll({
            filter,
            fromPosition: page[2].position,
            toPosition: ofOrganization[7].position,
            maxCount: 3,
          });

          expect(idsOf(untilFifth)).toEqual(idsOf(ofOrganization.slice(0, 5)));
          expect(idsOf(page)).toEqual(idsOf(ofOrganization.slice(2, 5)));
          expect(idsOf(rest)).toEqual(idsOf(ofOrganization.slice(5, 8)));
        });

        it('reads backwards down to an end position, inclusive', async () => {
          const events = await store.readAll({
            direction: 'backwards',
            filter: { organizationId },
            toPosition: ofOrganization[6].position,
          });

          expect(idsOf(events)).toEqual(idsOf(ofOrganization.slice(6).reverse()));
        });

        it('is an empty read for an organization without events', async () => {
          expect(await store.readAll({ filter: { organizationId: randomUUID() } })).toEqual([]);
        });

        it("delivers only the organization's events to a subscription", async () => {
          const recording = record({ filter: { organizationId } });
          await recording.waitForCount(9);
          const later = inOrganization(newEvent(), organizationId);
          await store.append(uniqueName('account-'), [later]);
          await recording.waitForCount(10);

          expect(idsOf(recording.events)).toEqual([...idsOf(ofOrganization), later.id]);
        });
      });

      it('reports a head position at or after the newest append', async () => {
        const result = await store.append(uniqueName('invoice-'), [newEvent()]);

        const head = await store.headPosition();

        expect(head).not.toBeNull();
        expect(comparePositions(head!, result.position)).toBeGreaterThanOrEqual(0);
      });
    });

    describe('subscribeToAll', () => {
      it('delivers existing then new events in order, in batches, and reports caughtUp', async () => {
        const aggregate = uniqueName('ticket');
        const stream = `${aggregate}-1`;
        const existing = newEvents(5);
        await store.append(stream, existing, { expectedRevision: NO_STREAM });

        const recording = record({
          filter: { streamNamePrefixes: [`${aggregate}-`] },
          batchSize: 2,
        });
        await waitUntil(() => recording.subscription.caughtUp, 'the subscription caught up');
        expect(idsOf(recording.events)).toEqual(idsOf(existing));

        const later = newEvents(3);
        await store.append(stream, later, { expectedRevision: 4n });
        await recording.waitForCount(8);

        expect(idsOf(recording.events)).toEqual(idsOf([...existing, ...later]));
        expect(Math.max(...recording.batchSizes)).toBeLessThanOrEqual(2);
        expect(recording.handlerCalls.mostAtOnce).toBe(1);
        expectIncreasingPositions(recording.events);
      });

      it('resumes after fromPosition, exclusive', async () => {
        const aggregate = uniqueName('ticket');
        const events = newEvents(4);
        await store.append(`${aggregate}-1`, events, { expectedRevision: NO_STREAM });
        const [, second] = await store.readStream(`${aggregate}-1`);

        const recording = record({
          fromPosition: second.position,
          filter: { streamNamePrefixes: [`${aggregate}-`] },
        });
        await recording.waitForCount(2);
        await sleep(100);

        expect(idsOf(recording.events)).toEqual(idsOf(events.slice(2)));
      });

      it('from the end, delivers only events appended afterwards', async () => {
        const aggregate = uniqueName('ticket');
        await store.append(`${aggregate}-1`, newEvents(2));

        const recording = record({
          fromPosition: 'end',
          filter: { streamNamePrefixes: [`${aggregate}-`] },
        });
        await waitUntil(() => recording.subscription.caughtUp, 'the subscription caught up');
        const later = newEvents(1);
        await store.append(`${aggregate}-1`, later);
        await recording.waitForCount(1);
        await sleep(100);

        expect(idsOf(recording.events)).toEqual(idsOf(later));
      });

      it('reports checkpoints past events its filter skipped', async () => {
        const aggregate = uniqueName('ticket');
        const recording = record({ filter: { streamNamePrefixes: [uniqueName('nothing')] } });
        await waitUntil(() => recording.subscription.caughtUp, 'the subscription caught up');

        const unrelated = await store.append(`${aggregate}-1`, newEvents(3));

        await waitUntil(
          () =>
            recording.checkpoints.some(
              (checkpoint) => comparePositions(checkpoint, unrelated.position) >= 0,
            ),
          'a checkpoint passed the unrelated events',
        );
        expect(recording.events).toEqual([]);
      });

      it('stops on a handler error: done rejects with it and nothing more arrives', async () => {
        const aggregate = uniqueName('ticket');
        await store.append(`${aggregate}-1`, newEvents(3));
        const failing = new Error('projection failed');
        const delivered: RecordedEvent[][] = [];

        const subscription = store.subscribeToAll(
          async (batch) => {
            delivered.push(batch);
            throw failing;
          },
          { filter: { streamNamePrefixes: [`${aggregate}-`] }, batchSize: 1 },
        );
        subscriptions.push(subscription);

        await expect(subscription.done).rejects.toBe(failing);
        await store.append(`${aggregate}-1`, newEvents(1));
        await sleep(100);
        expect(delivered).toHaveLength(1);
      });

      it('stop() ends the subscription and resolves done', async () => {
        const aggregate = uniqueName('ticket');
        const recording = record({ filter: { streamNamePrefixes: [`${aggregate}-`] } });
        await waitUntil(() => recording.subscription.caughtUp, 'the subscription caught up');

        await recording.subscription.stop();
        await store.append(`${aggregate}-1`, newEvents(1));
        await sleep(100);

        await expect(recording.subscription.done).resolves.toBeUndefined();
        expect(recording.events).toEqual([]);
      });
    });

    describe('under concurrent writers', () => {
      const WRITERS = 16;
      const APPENDS_PER_WRITER = 1_000;
      /** every this many appends, at an offset of its own, a writer turns to a shared stream */
      const SHARED_EVERY = 50;
      const SHARED_STREAMS = 4;

      it(`${WRITERS} writers x ${APPENDS_PER_WRITER} appends to overlapping streams: a subscriber gets every committed event once, in stream order`, async () => {
        const aggregate = uniqueName('counter');
        const ownStreams = Array.from({ length: WRITERS }, (_, n) => `${aggregate}-own${n}`);
        const sharedStreams = Array.from(
          { length: SHARED_STREAMS },
          (_, n) => `${aggregate}-shared${n}`,
        );
        // Writers mostly append to streams of their own (their knowledge of the revision stays
        // right) and now and then to a shared one (where it is stale and they must retry). A
        // stream commits one append at a time: sharing more would mostly time lock queues.
        const streamOf = (writerIndex: number, append: number) =>
          append % SHARED_EVERY === writerIndex % SHARED_EVERY
            ? sharedStreams[(writerIndex + Math.floor(append / SHARED_EVERY)) % SHARED_STREAMS]
            : ownStreams[writerIndex];
        const recording = record({
          filter: { streamNamePrefixes: [`${aggregate}-`] },
          batchSize: 500,
        });
        const committedIds = new Set<string>();
        let conflicts = 0;

        /** one event per append, at the revision the writer believes; on conflict, learn and retry */
        const writer = async (writerIndex: number) => {
          const knownRevision = new Map<string, ExpectedRevision>();
          for (let append = 0; append < APPENDS_PER_WRITER; append++) {
            const stream = streamOf(writerIndex, append);
            const event = newEvent('CounterIncremented', { writerIndex, append });
            for (;;) {
              const expectedRevision = knownRevision.get(stream) ?? NO_STREAM;
              try {
                const result = await store.append(stream, [event], { expectedRevision });
                knownRevision.set(stream, result.nextExpectedRevision);
                committedIds.add(event.id!);
                break;
              } catch (error) {
                if (!(error instanceof WrongExpectedRevisionError)) throw error;
                conflicts += 1;
                knownRevision.set(stream, error.actual === 'no_stream' ? NO_STREAM : error.actual);
              }
            }
          }
        };
        await Promise.all(Array.from({ length: WRITERS }, (_, index) => writer(index)));
        const total = WRITERS * APPENDS_PER_WRITER;

        // the streams hold each committed event once, and nothing from failed attempts
        let stored = 0;
        for (const stream of [...ownStreams, ...sharedStreams]) {
          const events = await store.readStream(stream);
          events.forEach((event, index) => expect(event.revision).toBe(BigInt(index)));
          for (const event of events) expect(committedIds.has(event.id)).toBe(true);
          stored += events.length;
        }
        expect(conflicts).toBeGreaterThan(0);
        expect(committedIds.size).toBe(total);
        expect(stored).toBe(total);

        await recording.waitForCount(total);
        await sleep(100);
        const received = recording.events;
        expect(received).toHaveLength(total);
        expect(new Set(idsOf(received)).size).toBe(total);
        expect(recording.handlerCalls.mostAtOnce).toBe(1);
        expectIncreasingPositions(received);
        const lastRevision = new Map<string, bigint>();
        for (const event of received) {
          expect(event.revision).toBe((lastRevision.get(event.streamName) ?? -1n) + 1n);
          lastRevision.set(event.streamName, event.revision);
        }
      }, 60_000);
    });
  });
}
