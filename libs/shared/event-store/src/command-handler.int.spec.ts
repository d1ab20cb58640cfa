import { dropSchema, testDatabaseUrl, uniqueSchemaName } from '@orgplane/testing';
import { ServiceError, type Decider } from '@orgplane/util';
import { handleCommand, type EventCodec } from './command-handler';
import { WrongExpectedRevisionError } from './errors';
import type { EventMetadata, EventStore } from './event-store.port';
import { PostgresEventStore } from './postgres/postgres-event-store';

type Deposited = { type: 'Deposited'; data: { amount: number } };

/** An account with a ceiling: racing deposits must never push it past 100. */
const account: Decider<{ amount: number }, number, Deposited> = {
  initialState: () => 0,
  decide: ({ amount }, balance) => {
    if (balance + amount > 100) throw ServiceError.conflict('ceiling', 'The account is full');
    return amount === 0 ? [] : [{ type: 'Deposited', data: { amount } }];
  },
  evolve: (balance, event) => balance + event.data.amount,
};

const codec: EventCodec<Deposited> = {
  decode: (stored) => ({ type: 'Deposited', data: { amount: Number(stored.data.amount) } }),
  encode: (event) => ({ type: event.type, schemaVersion: 1, data: event.data }),
};

const metadata: EventMetadata = {
  orgId: null,
  actor: { type: 'system', id: 'test' },
  requestId: 'req_test',
  correlationId: 'req_test',
  causationId: 'req_test',
};

const url = testDatabaseUrl();
const schema = uniqueSchemaName('command_handler');
let store: PostgresEventStore;

beforeAll(async () => {
  store = await PostgresEventStore.create({ connectionString: url, schema, poolSize: 8 });
});
afterAll(async () => {
  await store.close();
  await dropSchema(url, schema);
});

/** Counts the conflicts the handlers run into, so the test knows the race really happened. */
function countingConflicts(inner: EventStore): { store: EventStore; conflicts: () => number } {
  let conflicts = 0;
  const counting = Object.create(inner) as EventStore;
  counting.append = (...args) =>
    inner.append(...args).catch((error: unknown) => {
      if (error instanceof WrongExpectedRevisionError) conflicts++;
      throw error;
    });
  return { store: counting, conflicts: () => conflicts };
}

const deposit = (target: EventStore, streamName: string, amount: number, maxRetries: number) =>
  handleCommand({
    store: target,
    streamName,
    decider: account,
    command: { amount },
    codec,
    metadata,
    maxRetries,
  });

describe('handleCommand on PostgreSQL', () => {
  it('starts a new stream, expecting that it does not exist yet', async () => {
    const streamName = `account-${Date.now()}-new`;
    const result = await deposit(store, streamName, 30, 0);

    expect(result.events).toEqual([{ type: 'Deposited', data: { amount: 30 } }]);
    expect(result.state).toBe(30);
    expect(result.nextExpectedRevision).toBe(0n);
    const [stored] = await store.readStream(streamName);
    expect(stored).toMatchObject({ type: 'Deposited', schemaVersion: 1, data: { amount: 30 } });
    expect(stored.metadata).toMatchObject(metadata);
    expect(result.position).toEqual(stored.position);
  });

  it('decides on the folded stream and appends after its last revision', async () => {
    const streamName = `account-${Date.now()}-folded`;
    await deposit(store, streamName, 40, 0);
    await deposit(store, streamName, 40, 0);

    const result = await deposit(store, streamName, 20, 0);
    expect(result.state).toBe(100);
    expect(result.nextExpectedRevision).toBe(2n);
    await expect(deposit(store, streamName, 1, 0)).rejects.toMatchObject({
      kind: 'conflict',
      code: 'ceiling',
    });
    expect(await store.readStream(streamName)).toHaveLength(3);
  });

  it('appends nothing when the decider records nothing', async () => {
    const streamName = `account-${Date.now()}-idle`;
    await deposit(store, streamName, 5, 0);
    const head = await store.headPosition();

    const result = await deposit(store, streamName, 0, 0);
    expect(result).toMatchObject({ events: [], state: 5, position: null });
    expect(result.nextExpectedRevision).toBe(0n);
    expect(await store.headPosition()).toEqual(head);
  });

  it('serializes racing commands on one stream: each decides on the latest state', async () => {
    const streamName = `account-${Date.now()}`;
    const racing = countingConflicts(store);
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () => deposit(racing.store, streamName, 10, 20)),
    );

    const succeeded = results.filter((result) => result.status === 'fulfilled');
    const refused = results.filter((result) => result.status === 'rejected');
    expect(succeeded).toHaveLength(10);
    expect(refused.map((result) => (result.reason as ServiceError).code)).toEqual([
      'ceiling',
      'ceiling',
    ]);
    const events = await store.readStream(streamName);
    expect(events.map((event) => event.revision)).toEqual(
      Array.from({ length: 10 }, (_, index) => BigInt(index)),
    );
    expect(racing.conflicts()).toBeGreaterThan(0);
  });

  it('makes a command from the state each attempt read, when the command is a function of it', async () => {
    // Fill to the ceiling whatever the balance: the amount depends on the state decided against.
    const streamName = `account-${Date.now()}-fill`;
    const racing = countingConflicts(store);
    const seen: number[][] = [[], [], []];
    // The three first attempts all read before any of them appends: a race, every time.
    let allRead!: () => void;
    const firstReads = new Promise<void>((resolve) => (allRead = resolve));
    const fill = (writer: number) =>
      handleCommand({
        store: racing.store,
        streamName,
        decider: account,
        command: async (balance: number) => {
          seen[writer].push(balance);
          if (seen.every((balances) => balances.length > 0)) allRead();
          await firstReads;
          return { amount: Math.min(10, 100 - balance) };
        },
        codec,
        metadata,
        maxRetries: 20,
      });
    await deposit(store, streamName, 85, 0);

    const results = await Promise.all([0, 1, 2].map(fill));

    expect(results.map((result) => result.state).sort((a, b) => a - b)).toEqual([95, 100, 100]);
    expect((await store.readStream(streamName)).map((event) => event.data.amount)).toEqual([
      85, 10, 5,
    ]);
    // two lost the first race and were asked again, each time with the state read anew
    expect(racing.conflicts()).toBeGreaterThanOrEqual(2);
    expect(seen.map((balances) => balances[0])).toEqual([85, 85, 85]);
    for (const balances of seen) {
      expect(balances).toEqual([...new Set(balances)].sort((a, b) => a - b));
    }
    expect(seen.map((balances) => balances.at(-1)).sort((a, b) => a! - b!)).toEqual([85, 95, 100]);
  });

  it('gives up with 409 concurrent_update when retries run out', async () => {
    const streamName = `account-${Date.now()}-bounded`;
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => deposit(store, streamName, 1, 0)),
    );
    const codes = results.flatMap((result) =>
      result.status === 'rejected' ? [(result.reason as ServiceError).code] : [],
    );
    expect(codes.length).toBeGreaterThan(0);
    expect(new Set(codes)).toEqual(new Set(['concurrent_update']));
    const events = await store.readStream(streamName);
    expect(events).toHaveLength(results.length - codes.length);
  });
});
