import { randomUUID } from 'node:crypto';
import { Client, DatabaseError, Pool } from 'pg';
import { dropSchema, testDatabaseUrl, uniqueSchemaName } from '@orgplane/testing';
import { describeEventStoreContract } from '../contract/event-store.contract';
import type { NewEvent, RecordedEvent } from '../event-store.port';
import { PostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store';

const url = testDatabaseUrl();

const event = (type = 'ThingHappened'): NewEvent => ({
  id: randomUUID(),
  type,
  schemaVersion: 1,
  data: { at: Date.now() },
  metadata: {
    orgId: null,
    actor: { type: 'system', id: 'postgres-spec' },
    requestId: 'req_spec',
    correlationId: randomUUID(),
    causationId: randomUUID(),
  },
});

const sleep = (milliseconds: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(5);
  }
}

describeEventStoreContract('PostgresEventStore', async () => {
  const schema = uniqueSchemaName('es_contract');
  const store = await PostgresEventStore.create({ connectionString: url, schema });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await dropSchema(url, schema);
    },
  };
});

describe('PostgresEventStore', () => {
  const schema = uniqueSchemaName('es_postgres');
  const stores: PostgresEventStore[] = [];
  const openStore = async (options: Partial<PostgresEventStoreOptions> = {}) => {
    const store = await PostgresEventStore.create({ connectionString: url, schema, ...options });
    stores.push(store);
    return store;
  };
  /** a session of its own, to hold a transaction open next to the store */
  const openSession = async () => {
    const client = new Client({ connectionString: url });
    await client.connect();
    return client;
  };

  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await dropSchema(url, schema);
  });

  it('creates its schema once when several processes start together', async () => {
    const racing = await Promise.all(Array.from({ length: 4 }, () => openStore()));

    const result = await racing[0].append(`race-${randomUUID()}`, [event()]);

    expect(result.nextExpectedRevision).toBe(0n);
  });

  it('has no head position while empty', async () => {
    const emptySchema = uniqueSchemaName('es_empty');
    const store = await PostgresEventStore.create({ connectionString: url, schema: emptySchema });
    try {
      expect(await store.headPosition()).toBeNull();
      expect(await store.readAll()).toEqual([]);
    } finally {
      await store.close();
      await dropSchema(url, emptySchema);
    }
  });

  it('appends a single event in one round trip', async () => {
    const pool = new Pool({ connectionString: url, max: 2 });
    const store = await PostgresEventStore.create({ pool, schema });
    const stream = `order-${randomUUID()}`;
    await store.append(stream, [event()], { expectedRevision: 'no_stream' });
    const query = jest.spyOn(pool, 'query');
    try {
      await store.append(stream, [event()], { expectedRevision: 0n });
      expect(query).toHaveBeenCalledTimes(1);
    } finally {
      query.mockRestore();
      await store.close();
      await pool.end();
    }
  });

  it('never hands a subscriber an event before one an older transaction commits later', async () => {
    const store = await openStore();
    const aggregate = `late${randomUUID().replace(/-/g, '')}`;
    const received: RecordedEvent[] = [];
    const subscription = store.subscribeToAll(async (batch) => void received.push(...batch), {
      filter: { streamNamePrefixes: [`${aggregate}-`] },
    });
    const session = await openSession();
    try {
      await waitUntil(() => subscription.caughtUp);
      await session.query('BEGIN');
      await session.query('SELECT pg_current_xact_id()'); // takes the older transaction id now
      const early = await store.append(`${aggregate}-1`, [event()]);
      const pendingRead = store.readAll({ filter: { streamNamePrefixes: [`${aggregate}-`] } });
      await sleep(150);
      expect(received).toEqual([]);

      await session.query(`SELECT * FROM "${schema}".append_events($1, 'any', NULL, $2, NULL)`, [
        `${aggregate}-2`,
        JSON.stringify([{ ...event(), id: randomUUID() }]),
      ]);
      await session.query('COMMIT');

      await waitUntil(() => received.length === 2);
      expect(received.map((recorded) => recorded.streamName)).toEqual([
        `${aggregate}-2`,
        `${aggregate}-1`,
      ]);
      expect(received[1].position).toEqual(early.position);
      // readAll waited for the older transaction rather than answer without the newer commit
      expect((await pendingRead).map((recorded) => recorded.id)).toEqual(
        received.map((recorded) => recorded.id),
      );
    } finally {
      await session.query('ROLLBACK').catch(() => undefined);
      await session.end();
      await subscription.stop();
    }
  });

  it('refuses to append to a stream after a newer transaction did (so $all keeps stream order)', async () => {
    const store = await openStore();
    const stream = `order-${randomUUID()}`;
    const session = await openSession();
    try {
      await session.query('BEGIN');
      await session.query('SELECT pg_current_xact_id()');
      await store.append(stream, [event()]);

      const error = await session
        .query(`SELECT * FROM "${schema}".append_events($1, 'any', NULL, $2, NULL)`, [
          stream,
          JSON.stringify([{ ...event(), id: randomUUID() }]),
        ])
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(DatabaseError);
      expect((error as DatabaseError).code).toBe('40001');
    } finally {
      await session.query('ROLLBACK');
      await session.end();
    }
  });

  it('wakes subscriptions at once, in this process and in others, without waiting for a poll', async () => {
    const writer = await openStore({ pollIntervalMs: 60_000 });
    const otherProcess = await openStore({ pollIntervalMs: 60_000 });
    const aggregate = `wake${randomUUID().replace(/-/g, '')}`;
    const filter = { streamNamePrefixes: [`${aggregate}-`] };
    const local: RecordedEvent[] = [];
    const remote: RecordedEvent[] = [];
    const subscriptions = [
      writer.subscribeToAll(async (batch) => void local.push(...batch), { filter }),
      otherProcess.subscribeToAll(async (batch) => void remote.push(...batch), { filter }),
    ];
    try {
      await waitUntil(() => subscriptions.every((subscription) => subscription.caughtUp));
      // once the first polls are done, only a wake-up can deliver within the timeout below
      await sleep(50);

      for (let round = 1; round <= 3; round++) {
        await writer.append(`${aggregate}-1`, [event()]);
        await waitUntil(() => local.length === round && remote.length === round, 2_000);
      }
    } finally {
      await Promise.all(subscriptions.map((subscription) => subscription.stop()));
    }
  });

  it('keeps soft-deleted and tombstoned events in $all, like EventStoreDB before a scavenge', async () => {
    const store = await openStore();
    const aggregate = `gone${randomUUID().replace(/-/g, '')}`;
    await store.append(`${aggregate}-1`, [event()]);
    await store.append(`${aggregate}-2`, [event()]);

    await store.deleteStream(`${aggregate}-1`);
    await store.tombstoneStream(`${aggregate}-2`);

    const events = await store.readAll({ filter: { streamNamePrefixes: [`${aggregate}-`] } });
    expect(events).toHaveLength(2);
  });

  it('recreates a soft-deleted stream with no_stream, as EventStoreDB does', async () => {
    const store = await openStore();
    const stream = `order-${randomUUID()}`;
    await store.append(stream, [event(), event()], { expectedRevision: 'no_stream' });
    await store.deleteStream(stream);

    const result = await store.append(stream, [event()], { expectedRevision: 'no_stream' });

    expect(result.nextExpectedRevision).toBe(2n);
  });
});
