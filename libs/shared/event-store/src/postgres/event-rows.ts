import type { EventMetadata, JsonObject, Position, RecordedEvent } from '../event-store.port';

/**
 * The columns every event read selects from `events e`. node-pg hands bigint and xid8 over as
 * strings anyway; casting them to text in SQL keeps that explicit. The creation time travels as
 * epoch milliseconds: node-pg's timestamp parser costs more than the rest of a row's columns.
 */
export const EVENT_COLUMNS = `
  e.transaction_id::text AS commit_position, e.seq::text AS prepare_position, e.stream_name,
  e.revision::text AS revision, e.event_id::text AS event_id, e.event_type, e.schema_version,
  e.data, e.metadata, (extract(epoch FROM e.created_at) * 1000)::float8 AS created_at_ms`;

export interface EventRow {
  commit_position: string;
  prepare_position: string;
  stream_name: string;
  revision: string;
  event_id: string;
  event_type: string;
  schema_version: number;
  data: JsonObject;
  metadata: EventMetadata;
  created_at_ms: number;
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamName: row.stream_name,
    revision: BigInt(row.revision),
    position: { commit: BigInt(row.commit_position), prepare: BigInt(row.prepare_position) },
    type: row.event_type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    createdAt: new Date(row.created_at_ms),
  };
}

/** A position as it travels in SQL parameters: (transaction id, sequence) as decimal text. */
export function positionParameters(position: Position): [string, string] {
  return [position.commit.toString(), position.prepare.toString()];
}
