import { NO_STREAM, PostgresEventStore, type Position } from '../../src';
import { DeliveryTally, type OpenSystem, type SystemUnderTest } from './system';

/** Our PostgreSQL adapter, driven through the event store port only. */
export const openOurSystem: OpenSystem = async (connection) => {
  const store = await PostgresEventStore.create({
    connectionString: connection.connectionString,
    schema: connection.schema,
    poolSize: connection.poolSize,
  });

  const system: SystemUnderTest = {
    async append(streamName, lastRevision, events) {
      await store.append(streamName, events, { expectedRevision: lastRevision ?? NO_STREAM });
    },

    async readAll(pageSize) {
      const tally = new DeliveryTally();
      let fromPosition: Position | 'start' = 'start';
      for (;;) {
        const page = await store.readAll({
          fromPosition,
          direction: 'forwards',
          maxCount: pageSize,
        });
        for (const event of page) tally.add(event.position);
        if (page.length < pageSize) return tally;
        fromPosition = page[page.length - 1].position;
      }
    },

    async catchUp(eventCount, batchSize) {
      const tally = new DeliveryTally();
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const subscription = store.subscribeToAll(
        async (events) => {
          for (const event of events) tally.add(event.position);
          if (tally.delivered >= eventCount) finish();
        },
        { fromPosition: 'start', batchSize },
      );
      // The run normally ends on the count above (duplicates would show up in the distinct count
      // afterwards). A subscription that skips events never reaches it, so being caught up with
      // nothing new for a whole poll interval ends the run too.
      let deliveredAtLastPoll = -1;
      const idleWhenCaughtUp = setInterval(() => {
        if (subscription.caughtUp && tally.delivered === deliveredAtLastPoll) finish();
        deliveredAtLastPoll = tally.delivered;
      }, 100);
      try {
        // `done` settles before stop() only when the subscription fails
        await Promise.race([finished, subscription.done]);
      } finally {
        clearInterval(idleWhenCaughtUp);
        await subscription.stop();
      }
      return tally;
    },

    close: () => store.close(),
  };
  return system;
};
