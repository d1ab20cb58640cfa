import { dumbo } from '@event-driven-io/dumbo';
import {
  getPostgreSQLEventStore,
  postgreSQLEventStoreMessageBatchPuller,
  readMessagesBatch,
} from '@event-driven-io/emmett-postgresql';
import { Pool } from 'pg';
import { DeliveryTally, type OpenSystem, type SystemUnderTest } from './system';

/**
 * Emmett's PostgreSQL event store, driven through its public API on the same pg pool size.
 *
 * - Stream versions are 1-based counts (0 = no stream), so our 0-based `lastRevision` maps to
 *   `lastRevision + 1`, and a new stream to 0: both exact checks.
 * - Emmett has no `readAll` on the store; `$all` is read with its exported `readMessagesBatch`,
 *   the query its consumers page with. Dumbo is the pool wrapper Emmett itself is built on.
 * - Catch-up uses `postgreSQLEventStoreMessageBatchPuller`, the loop inside
 *   `postgreSQLEventStoreConsumer`, without a reactor: Emmett's reactors store a checkpoint after
 *   every message, which our subscriptions leave to the consumer. The puller sleeps between
 *   batches (100 ms after the first, then `pullingFrequencyInMs`, 50 ms by default: with its
 *   default batch of 100 that caps it at 2,000 events/s). It runs here with our batch size and
 *   a 0 ms pulling interval, its fastest setting.
 */
export const openEmmettSystem: OpenSystem = async (connection) => {
  const pool = new Pool({
    connectionString: connection.connectionString,
    max: connection.poolSize,
  });
  const store = getPostgreSQLEventStore(connection.connectionString, {
    connectionOptions: { connectionString: connection.connectionString, pool },
  });
  await store.schema.migrate();
  const executor = dumbo({ connectionString: connection.connectionString, pool }).execute;

  const system: SystemUnderTest = {
    async append(streamName, lastRevision, events) {
      await store.appendToStream(
        streamName,
        events.map(({ type, data, metadata }) => ({ type, data, metadata })),
        { expectedStreamVersion: lastRevision === null ? 0n : lastRevision + 1n },
      );
    },

    async readAll(pageSize) {
      const tally = new DeliveryTally();
      let after = 0n;
      for (;;) {
        const batch = await readMessagesBatch(executor, { after, batchSize: pageSize });
        for (const message of batch.messages) tally.add(message.metadata.globalPosition);
        if (!batch.areMessagesLeft) return tally;
        after = batch.currentGlobalPosition;
      }
    },

    // Runs until Emmett itself finds nothing left, rather than until a count: its reader skips and
    // repeats events, so a count would end it at the wrong place.
    async catchUp(_eventCount, batchSize) {
      const tally = new DeliveryTally();
      const puller = postgreSQLEventStoreMessageBatchPuller({
        executor,
        batchSize,
        pullingFrequencyInMs: 0,
        stopWhen: { noMessagesLeft: true },
        // required by the type; the run ends through stopWhen, never by aborting
        signal: new AbortController().signal,
        eachBatch: async (messages) => {
          for (const message of messages) tally.add(message.metadata.globalPosition);
        },
      });
      await puller.start({ startFrom: 'BEGINNING' });
      return tally;
    },

    async close() {
      await store.close();
      await pool.end();
    },
  };
  return system;
};
