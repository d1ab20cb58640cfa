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
    return [{ type: 'Deposited', data: { amount } }];
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
