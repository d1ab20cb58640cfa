import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { DeliveryTally, type BenchEvent, type OpenSystem, type SystemUnderTest } from './system';

/**
 * The physical floor: what PostgreSQL and node-pg do with no event-store logic on top. One
 * autocommit INSERT per single event, one `unnest` INSERT per batch, keyset paging for reads,
 * all as named (server-side prepared) statements so that no round trip re-plans.
 * The table stores what an event store stores, with the one constraint every store needs
 * (unique stream revision), so the floor pays for the same heap and index writes.
 */
const CREATE_TABLE = `
  CREATE TABLE events (
    global_position bigserial PRIMARY KEY,
    stream_name     text        NOT NULL,
    revision        bigint      NOT NULL,
    event_id        uuid        NOT NULL,
    type            text        NOT NULL,
    schema_version  integer     NOT NULL,
    data            jsonb       NOT NULL,
    metadata        jsonb       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_name, revision)
  )`;

const INSERT_ONE = `
  INSERT INTO events (stream_name, revision, event_id, type, schema_version, data, metadata)
  VALUES ($1, $2, $3, $4, $5, $6, $7)`;

const INSERT_MANY = `
  INSERT INTO events (stream_name, revision, event_id, type, schema_version, data, metadata)
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::integer[],
                       $6::jsonb[], $7::jsonb[])`;

const READ_PAGE = `
  SELECT global_position, stream_name, revision, event_id, type, schema_version, data, metadata,
         created_at
  FROM events WHERE global_position > $1 ORDER BY global_position LIMIT $2`;

interface EventRow {
  global_position: string;
}

export const openRawSystem: OpenSystem = async (connection) => {
  const pool = new Pool({
    connectionString: connection.connectionString,
    max: connection.poolSize,
  });
  await pool.query(CREATE_TABLE);

  async function append(
    streamName: string,
    lastRevision: bigint | null,
    events: BenchEvent[],
  ): Promise<void> {
    const firstRevision = lastRevision === null ? 0n : lastRevision + 1n;
    if (events.length === 1) {
      const [event] = events;
      await pool.query({ name: 'raw_insert_one', text: INSERT_ONE }, [
        streamName,
        firstRevision.toString(),
        randomUUID(),
        event.type,
        event.schemaVersion,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata),
      ]);
      return;
    }
    await pool.query({ name: 'raw_insert_many', text: INSERT_MANY }, [
      events.map(() => streamName),
      events.map((_, index) => (firstRevision + BigInt(index)).toString()),
      events.map(() => randomUUID()),
      events.map((event) => event.type),
      events.map((event) => event.schemaVersion),
      events.map((event) => JSON.stringify(event.data)),
      events.map((event) => JSON.stringify(event.metadata)),
    ]);
  }

  /** Keyset paging until a short page. */
  async function readAll(pageSize: number): Promise<DeliveryTally> {
    const tally = new DeliveryTally();
    let after = '0';
    for (;;) {
      const { rows } = await pool.query<EventRow>({ name: 'raw_read_page', text: READ_PAGE }, [
        after,
        pageSize,
      ]);
      for (const row of rows) tally.add(row.global_position);
      if (rows.length < pageSize) return tally;
      after = rows[rows.length - 1].global_position;
    }
  }

  const system: SystemUnderTest = {
    append,
    readAll,
    // A catch-up subscription can go no faster than paging through the table, so its floor is the
    // same loop, timed on its own.
    catchUp: (_eventCount, batchSize) => readAll(batchSize),
    close: () => pool.end(),
  };
  return system;
};
