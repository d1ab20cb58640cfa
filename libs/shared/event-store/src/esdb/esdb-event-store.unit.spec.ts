/**
 * The adapter driven through the real `@eventstore/db-client` against a scripted gRPC server (see
 * scripted-esdb-server.ts): what the client decodes and what the adapter makes of it. What ESDB
 * itself would answer is assumed by each script, and checked only by the contract suite
 * (esdb-event-store.int.spec.ts) against a real server.
 */
import { StreamNotFoundError, WrongExpectedRevisionError } from '../errors';
import type { Position, RecordedEvent, Subscription } from '../event-store.port';
import { comparePositions } from '../position';
import { EventStoreDbEventStore } from './esdb-event-store';
import {
  ScriptedEsdbServer,
  cancelled,
  failCall,
  respond,
  type ReadCall,
  type ScriptedEvent,
} from './scripted-esdb-server';

const at = (n: number): Position => ({ commit: BigInt(n), prepare: BigInt(n) });

const userEvent = (
  n: number,
  streamId = 'organization-1',
  type = 'MemberAdded',
): ScriptedEvent => ({
  streamId,
  revision: BigInt(n),
  position: at(n * 100),
  type,
  data: { n },
  metadata: { $schemaVersion: 1, requestId: `req-${n}` },
});

const systemEvent = (n: number): ScriptedEvent => ({
  streamId: '$$organization-1',
  position: at(n * 100),
  type: '$metadata',
});

const BACKWARDS = 1;

/** Serves `$all` reads from a log the way ESDB does: forwards from a position includes it. */
function serveAll(log: ScriptedEvent[], call: ReadCall): void {
  const options = call.request.getOptions()!;
  const all = options.getAll()!;
  const backwards = options.getReadDirection() === BACKWARDS;
  const count = Number(options.getCount());
  const from = all.hasPosition()
    ? {
        commit: BigInt(all.getPosition()!.getCommitPosition()),
        prepare: BigInt(all.getPosition()!.getPreparePosition()),
      }
    : null;
  const ordered = backwards ? [...log].reverse() : log;
  const selected = ordered.filter((event) => {
    if (from)
      return backwards
        ? comparePositions(event.position, from) < 0
        : comparePositions(event.position, from) >= 0;
    return !(all.hasEnd() && !backwards);
  });
  for (const event of selected.slice(0, count)) call.write(respond.event(event));
  call.end();
}

interface Setup {
  log?: ScriptedEvent[];
  subscribe?: (call: ReadCall) => Promise<void> | void;
  readStream?: (call: ReadCall) => void;
}

let server: ScriptedEsdbServer | undefined;
let store: EventStoreDbEventStore | undefined;

async function connect(setup: Setup): Promise<EventStoreDbEventStore> {
  server = await ScriptedEsdbServer.start((call) => {
    const options = call.request.getOptions()!;
    if (options.hasSubscription()) void setup.subscribe?.(call);
    else if (options.hasStream()) setup.readStream?.(call);
    else serveAll(setup.log ?? [], call);
  });
  store = await EventStoreDbEventStore.connect(server.url);
  return store;
}

afterEach(async () => {
  await store?.close();
  server?.stop();
  store = undefined;
  server = undefined;
});

async function waitFor(condition: () => boolean, what: string, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function subscriptionCall(): ReadCall {
  const call = server!.reads.find((read) => read.request.getOptions()!.hasSubscription());
  if (!call) throw new Error('no subscription call received');
  return call;
}

describe('EventStoreDbEventStore.connect', () => {
  it('fails fast and names the address when the connection is refused', async () => {
    const started = Date.now();
    await expect(
      EventStoreDbEventStore.connect('esdb://admin:changeit@127.0.0.1:1?tls=false'),
    ).rejects.toThrow(
      /^Cannot reach EventStoreDB at esdb:\/\/127\.0\.0\.1:1\?tls=false: .*UNAVAILABLE/,
    );
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('connects when the server answers', async () => {
    await expect(connect({ log: [userEvent(1)] })).resolves.toBeInstanceOf(EventStoreDbEventStore);
  });
});

describe('reads through the client', () => {
  it('maps a missing stream to StreamNotFoundError', async () => {
    await connect({
      readStream: (call) => (call.write(respond.streamNotFound('user-9')), call.end()),
    });
    await expect(store!.readStream('user-9')).rejects.toEqual(new StreamNotFoundError('user-9'));
  });

  it('reads a stream backwards from its end by default', async () => {
    await connect({ readStream: (call) => (call.write(respond.event(userEvent(2))), call.end()) });
    const [event] = await store!.readStream('organization-1', { direction: 'backwards' });
    const streamOptions = server!.reads.at(-1)!.request.getOptions()!;
    expect(streamOptions.getStream()!.hasEnd()).toBe(true);
    expect(event).toMatchObject<Partial<RecordedEvent>>({
      streamName: 'organization-1',
      revision: 2n,
      position: at(200),
      type: 'MemberAdded',
      schemaVersion: 1,
      data: { n: 2 },
      metadata: { requestId: 'req-2' } as RecordedEvent['metadata'],
      createdAt: new Date(Date.UTC(2025, 0, 2)),
    });
  });

  it('reads $all after an exclusive position, skipping system events, across pages', async () => {
    const log = [userEvent(1), userEvent(2), systemEvent(3), userEvent(4), userEvent(5)];
    await connect({ log });
    const events = await store!.readAll({ fromPosition: at(100), maxCount: 2 });
    expect(events.map((event) => event.position)).toEqual([at(200), at(400)]);
  });

  it('reads $all backwards from an exclusive position', async () => {
    await connect({ log: [userEvent(1), userEvent(2), userEvent(3)] });
    const events = await store!.readAll({ fromPosition: at(300), direction: 'backwards' });
    expect(events.map((event) => event.position)).toEqual([at(200), at(100)]);
  });

  it('filters $all reads on the client', async () => {
    const log = [userEvent(1), userEvent(2, 'user-1'), userEvent(3, 'user-2', 'UserRenamed')];
    await connect({ log });
    const byStream = await store!.readAll({ filter: { streamNamePrefixes: ['user-'] } });
    expect(byStream.map((event) => event.streamName)).toEqual(['user-1', 'user-2']);
    const byType = await store!.readAll({ filter: { eventTypes: ['UserRenamed'] } });
    expect(byType.map((event) => event.type)).toEqual(['UserRenamed']);
  });

  it("filters $all reads by the events' organization on the client, up to an end position", async () => {
    const inOrganization = (n: number, orgId: string): ScriptedEvent => ({
      ...userEvent(n),
      metadata: { $schemaVersion: 1, requestId: `req-${n}`, orgId },
    });
    const log = [
      inOrganization(1, 'org-a'),
      inOrganization(2, 'org-b'),
      userEvent(3),
      inOrganization(4, 'org-a'),
      inOrganization(5, 'org-a'),
    ];
    await connect({ log });
    const filter = { organizationId: 'org-a' };
    const forwards = await store!.readAll({ filter, toPosition: at(400) });
    expect(forwards.map((event) => event.position)).toEqual([at(100), at(400)]);
    const backwards = await store!.readAll({ filter, direction: 'backwards', toPosition: at(400) });
    expect(backwards.map((event) => event.position)).toEqual([at(500), at(400)]);
  });

  it('reports the newest application event as the head, past newer system events', async () => {
    await connect({ log: [userEvent(1), userEvent(2), systemEvent(3), systemEvent(4)] });
    await expect(store!.headPosition()).resolves.toEqual(at(200));
  });

  it('reports no head when $all holds only system events', async () => {
    await connect({ log: [systemEvent(1)] });
    await expect(store!.headPosition()).resolves.toBeNull();
  });
});

describe('expectations the client cannot send', () => {
  const scriptedStream = (call: ReadCall) => {
    const name = Buffer.from(
      call.request.getOptions()!.getStream()!.getStreamIdentifier()!.getStreamName_asU8(),
    ).toString();
    if (name === 'organization-1') call.write(respond.event(userEvent(2)));
    else call.write(respond.streamNotFound(name));
    call.end();
  };

  it('checks an append of no events against the stream, writing nothing', async () => {
    await connect({ readStream: scriptedStream });
    await expect(store!.append('user-9', [], { expectedRevision: 'no_stream' })).resolves.toEqual({
      nextExpectedRevision: -1n,
      position: { commit: 0n, prepare: 0n },
    });
    await expect(store!.append('organization-1', [], { expectedRevision: 2n })).resolves.toEqual({
      nextExpectedRevision: 2n,
      position: at(200),
    });
    await expect(store!.append('user-9', [], { expectedRevision: 0n })).rejects.toEqual(
      new WrongExpectedRevisionError('user-9', 0n, 'no_stream'),
    );
    await expect(store!.append('organization-1', [], { expectedRevision: 1n })).rejects.toEqual(
      new WrongExpectedRevisionError('organization-1', 1n, 2n),
    );
  });

  it('refuses to delete a missing stream expected to exist, without asking the server to', async () => {
    await connect({ readStream: scriptedStream });
    for (const remove of [store!.deleteStream, store!.tombstoneStream]) {
      await expect(
        remove.call(store!, 'user-9', { expectedRevision: 'stream_exists' }),
      ).rejects.toEqual(new WrongExpectedRevisionError('user-9', 'stream_exists', 'no_stream'));
    }
  });
});

describe('subscribeToAll through the client', () => {
  let subscription: Subscription | undefined;
  const gates: Array<{ open: () => void }> = [];

  /** Holds a handler until opened; every gate opens after the test, so a failure cannot hang stop(). */
  function gate(): { passed: Promise<void>; open: () => void } {
    let open!: () => void;
    const passed = new Promise<void>((resolve) => (open = resolve));
    gates.push({ open });
    return { passed, open };
  }

  afterEach(async () => {
    for (const { open } of gates.splice(0)) open();
    await subscription?.stop();
    subscription = undefined;
  });

  it('sends the start position and the filter to the server', async () => {
    await connect({ subscribe: (call) => void call.write(respond.confirmation()) });
    subscription = store!.subscribeToAll(async () => undefined, {
      fromPosition: at(700),
      filter: { eventTypes: ['MemberAdded', 'Member.Removed'] },
    });
    await waitFor(
      () => server!.reads.some((read) => read.request.getOptions()!.hasSubscription()),
      'subscription',
    );
    const options = subscriptionCall().request.getOptions()!;
    expect(options.getAll()!.getPosition()!.getCommitPosition()).toBe('700');
    expect(options.getAll()!.getPosition()!.getPreparePosition()).toBe('700');
    expect(options.getFilter()!.getEventType()!.getRegex()).toBe(
      '^(?:MemberAdded|Member\\.Removed)$',
    );
  });

  it('sends stream name prefixes as a prefix filter, and excludes system events without a filter', async () => {
    await connect({ subscribe: (call) => void call.write(respond.confirmation()) });
    subscription = store!.subscribeToAll(async () => undefined, {
      filter: { streamNamePrefixes: ['organization-'] },
    });
    const unfiltered = store!.subscribeToAll(async () => undefined);
    await waitFor(
      () =>
        server!.reads.filter((read) => read.request.getOptions()!.hasSubscription()).length === 2,
      'subscriptions',
    );
    const [prefixed, excluding] = server!.reads
      .filter((read) => read.request.getOptions()!.hasSubscription())
      .map((read) => read.request.getOptions()!.getFilter()!);
    expect(prefixed.getStreamIdentifier()!.getPrefixList()).toEqual(['organization-']);
    expect(excluding.getEventType()!.getRegex()).toMatch(/^\^\[\^\$\]/);
    await unfiltered.stop();
  });

  it('refuses a batch size below 1', async () => {
    await connect({});
    expect(() => store!.subscribeToAll(async () => undefined, { batchSize: 0 })).toThrow(
      RangeError,
    );
  });

  it('hands over batches one at a time, in order, never more than batchSize', async () => {
    const events = Array.from({ length: 10 }, (_, i) => userEvent(i + 1));
    await connect({
      subscribe: (call) => {
        call.write(respond.confirmation());
        for (const event of events) call.write(respond.event(event));
      },
    });
    const batches: number[][] = [];
    let running = 0;
    let overlapped = false;
    subscription = store!.subscribeToAll(
      async (batch) => {
        overlapped ||= running > 0;
        running += 1;
        await sleep(10);
        batches.push(batch.map((event) => Number(event.revision)));
        running -= 1;
      },
      { batchSize: 3 },
    );
    await waitFor(() => batches.flat().length === 10, 'all events');
    expect(overlapped).toBe(false);
    expect(batches.flat()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(3);
  });

  it('skips system events and anything at or before the start position', async () => {
    await connect({
      subscribe: (call) => {
        call.write(respond.confirmation());
        // a server that included the start position itself
        for (const event of [userEvent(1), systemEvent(2), userEvent(3)])
          call.write(respond.event(event));
      },
    });
    const delivered: Position[] = [];
    subscription = store!.subscribeToAll(
      async (batch) => void delivered.push(...batch.map((e) => e.position)),
      {
        fromPosition: at(100),
      },
    );
    await waitFor(() => delivered.length === 1, 'one event');
    await sleep(20);
    expect(delivered).toEqual([at(300)]);
  });

  it('reports a checkpoint only after the events before it are handled, as the larger position', async () => {
    const handlerGate = gate();
    await connect({
      subscribe: (call) => {
        call.write(respond.confirmation());
        call.write(respond.event(userEvent(1)));
        call.write(respond.event(userEvent(2)));
        // behind the last event: moves nothing forward
        call.write(respond.checkpoint(at(150)));
        call.write(respond.event(systemEvent(4)));
        // behind the skipped system event: the consumer may still move past that event
        call.write(respond.checkpoint(at(350)));
        call.write(respond.checkpoint(at(900)));
      },
    });
    const log: string[] = [];
    subscription = store!.subscribeToAll(
      async (batch) => {
        log.push(`handling ${batch.map((event) => event.revision).join(',')}`);
        await handlerGate.passed;
        log.push('handled');
      },
      { onCheckpoint: (position) => void log.push(`checkpoint ${position.commit}`) },
    );
    await waitFor(() => log.length > 0, 'the first batch');
    await sleep(50);
    expect(log.filter((entry) => entry.startsWith('checkpoint'))).toEqual([]);
    handlerGate.open();
    await waitFor(() => log.includes('checkpoint 900'), 'the last checkpoint');
    expect(log.filter((entry) => entry.startsWith('checkpoint'))).toEqual([
      'checkpoint 400',
      'checkpoint 900',
    ]);
    expect(log.lastIndexOf('handled')).toBeLessThan(log.indexOf('checkpoint 400'));
  });

  it('is caught up only once the events before the server said so are handled', async () => {
    const handlerGate = gate();
    await connect({
      subscribe: (call) => {
        call.write(respond.confirmation());
        call.write(respond.event(userEvent(1)));
        call.write(respond.caughtUp());
      },
    });
    let handled = false;
    subscription = store!.subscribeToAll(async () => {
      await handlerGate.passed;
      handled = true;
    });
    await sleep(50);
    expect(subscription.caughtUp).toBe(false);
    handlerGate.open();
    await waitFor(() => subscription!.caughtUp, 'caughtUp');
    expect(handled).toBe(true);
  });

  it('stops when the handler throws: done rejects with its error and the call is cancelled', async () => {
    await connect({
      subscribe: async (call) => {
        call.write(respond.confirmation());
        for (let n = 1; n <= 5; n += 1) call.write(respond.event(userEvent(n)));
      },
    });
    const failure = new Error('projection failed');
    let calls = 0;
    subscription = store!.subscribeToAll(
      async () => {
        calls += 1;
        throw failure;
      },
      { batchSize: 1 },
    );
    await expect(subscription.done).rejects.toBe(failure);
    await cancelled(subscriptionCall());
    await sleep(20);
    expect(calls).toBe(1);
  });

  it('rejects done when the server breaks the subscription', async () => {
    await connect({
      subscribe: async (call) => {
        call.write(respond.confirmation());
        call.write(respond.event(userEvent(1)));
        await sleep(20);
        failCall(call, 'server going down');
      },
    });
    subscription = store!.subscribeToAll(async () => undefined);
    await expect(subscription.done).rejects.toThrow(/server going down/);
  });

  it('rejects done when the server ends the subscription', async () => {
    await connect({
      subscribe: (call) => {
        call.write(respond.confirmation());
        call.write(respond.event(userEvent(1)));
        call.end();
      },
    });
    const delivered: bigint[] = [];
    subscription = store!.subscribeToAll(
      async (batch) => void delivered.push(...batch.map((e) => e.revision)),
    );
    await expect(subscription.done).rejects.toThrow('EventStoreDB ended the subscription');
    expect(delivered).toEqual([1n]);
  });

  it('stop waits for the batch in hand, resolves done and cancels the call', async () => {
    await connect({
      subscribe: (call) => {
        call.write(respond.confirmation());
        call.write(respond.event(userEvent(1)));
      },
    });
    let finished = false;
    subscription = store!.subscribeToAll(async () => {
      await sleep(30);
      finished = true;
    });
    await waitFor(
      () => server!.reads.some((read) => read.request.getOptions()!.hasSubscription()),
      'subscription',
    );
    await sleep(5);
    await subscription.stop();
    expect(finished).toBe(true);
    await expect(subscription.done).resolves.toBeUndefined();
    await cancelled(subscriptionCall());
  });

  it('close stops open subscriptions', async () => {
    await connect({ subscribe: (call) => void call.write(respond.confirmation()) });
    subscription = store!.subscribeToAll(async () => undefined);
    await waitFor(
      () => server!.reads.some((read) => read.request.getOptions()!.hasSubscription()),
      'subscription',
    );
    await store!.close();
    await expect(subscription.done).resolves.toBeUndefined();
  });
});
