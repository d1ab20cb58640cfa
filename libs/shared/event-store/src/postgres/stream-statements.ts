import type { Direction } from '../event-store.port';
import { EVENT_COLUMNS } from './event-rows';

/** The SQL of the stream-level operations for one schema (the `$all` reads live elsewhere). */
export interface StreamStatements {
  /** ($1 stream, $2 expected kind, $3 expected revision, $4 events json, $5 channel to notify) */
  append: string;
  /** ($1 stream, $2 expected kind, $3 expected revision, $4 tombstone) */
  deleteStream: string;
  /** ($1 stream, $2 from revision, inclusive, $3 max count or null); one row per event */
  readStream: Record<Direction, string>;
  /** ($1 stream, $2 max count, $3 max age, $4 truncate before, $5 custom metadata) */
  setMetadata: string;
  /** ($1 stream) */
  getMetadata: string;
}

/**
 * Reads `$1` from `$2` on, skipping what the stream's metadata hides (truncate before, max
 * count, max age). One row with null event columns when nothing is visible, none when the
 * stream row does not exist.
 */
function readStreamSql(schema: string, direction: Direction): string {
  const forwards = direction === 'forwards';
  return `
    SELECT s.state, s.last_revision::text AS stream_last_revision, page.*
    FROM "${schema}".streams s
    LEFT JOIN LATERAL (
      SELECT ${EVENT_COLUMNS}
      FROM "${schema}".events e
      WHERE s.state = 'live'
        AND e.stream_name = s.stream_name
        AND e.revision ${forwards ? '>=' : '<='} $2::bigint
        AND e.revision >= greatest(
              coalesce(s.truncate_before, 0),
              s.last_revision - coalesce(s.max_count, s.last_revision + 1) + 1)
        AND (s.max_age_seconds IS NULL
             OR e.created_at >= now() - make_interval(secs => s.max_age_seconds))
      ORDER BY e.revision ${forwards ? 'ASC' : 'DESC'}
      LIMIT $3
    ) page ON true
    WHERE s.stream_name = $1`;
}

export function streamStatements(schema: string): StreamStatements {
  const s = `"${schema}"`;
  return {
    append: `
      SELECT outcome, next_expected_revision::text, commit_position::text, prepare_position::text
      FROM ${s}.append_events($1, $2, $3, $4, $5)`,
    deleteStream: `SELECT ${s}.delete_stream($1, $2, $3, $4)`,
    readStream: {
      forwards: readStreamSql(schema, 'forwards'),
      backwards: readStreamSql(schema, 'backwards'),
    },
    setMetadata: `
      INSERT INTO ${s}.streams AS s
        (stream_name, max_count, max_age_seconds, truncate_before, custom_metadata)
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (stream_name) DO UPDATE SET
        max_count = excluded.max_count,
        max_age_seconds = excluded.max_age_seconds,
        truncate_before = excluded.truncate_before,
        custom_metadata = excluded.custom_metadata
      WHERE s.state <> 'tombstoned'
      RETURNING 1`,
    getMetadata: `
      SELECT state, max_count::text, max_age_seconds::text, truncate_before::text, custom_metadata
      FROM ${s}.streams WHERE stream_name = $1`,
  };
}
