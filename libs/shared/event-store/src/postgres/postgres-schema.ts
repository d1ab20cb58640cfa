import type { Pool } from 'pg';

/** SQLSTATEs the adapter's functions raise; the adapter turns them into the port's errors. */
export const WRONG_EXPECTED_REVISION_SQLSTATE = 'ESWER';
export const STREAM_DELETED_SQLSTATE = 'ESDEL';
/** serialization_failure: the statement is safe to run again in a new transaction */
export const RETRYABLE_SQLSTATE = '40001';

const SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** Schema names are spliced into SQL, so only plain lower-case identifiers are accepted. */
export function validateSchemaName(schema: string): string {
  if (!SCHEMA_NAME_PATTERN.test(schema)) {
    throw new Error(
      `Invalid event store schema name "${schema}": use [a-z_][a-z0-9_]*, 63 at most`,
    );
  }
  return schema;
}

/**
 * The channel that tells other processes something was appended. A hint only (readers poll as
 * well), so truncating a long name to PostgreSQL's 63 bytes is harmless.
 */
export function appendChannel(schema: string): string {
  return `${schema}_appended`.slice(0, 63);
}

/**
 * Each migration runs once per schema, in order, inside one transaction. Append new ones; never
 * edit one that has shipped.
 */
const MIGRATIONS: ReadonlyArray<(quotedSchema: string) => string> = [
  (s) => `
-- An enum rather than a CHECK constraint: PostgreSQL re-reads a CHECK expression every time a
-- statement writes the table, and every append writes its stream's row.
CREATE TYPE ${s}.stream_state AS ENUM ('live', 'deleted', 'tombstoned');

CREATE TABLE ${s}.streams (
  stream_name         text PRIMARY KEY,
  -- revision of the stream's last event; -1 before the first append
  last_revision       bigint NOT NULL DEFAULT -1,
  -- transaction of the last append: later appends to the stream must come from it or a newer
  -- one, or $all (ordered by transaction id) would list the stream's events out of order
  last_transaction_id xid8 NOT NULL DEFAULT '0',
  state               ${s}.stream_state NOT NULL DEFAULT 'live',
  truncate_before     bigint,
  max_count           bigint,
  max_age_seconds     bigint,
  custom_metadata     jsonb NOT NULL DEFAULT '{}'
) WITH (fillfactor = 80); -- room for HOT updates: every append rewrites its stream's row

CREATE TABLE ${s}.events (
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  seq            bigint GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME ${s}.events_seq),
  revision       bigint NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  schema_version integer NOT NULL,
  event_id       uuid NOT NULL,
  stream_name    text NOT NULL,
  event_type     text NOT NULL,
  data           jsonb NOT NULL,
  metadata       jsonb NOT NULL,
  -- $all order. Readers stop below the oldest running transaction id, so an event committed
  -- late by an older transaction is never skipped (a sequence alone would allow that)
  CONSTRAINT events_position_pkey PRIMARY KEY (transaction_id, seq),
  -- event_id rides along so idempotency checks read the index only; ids need not be unique
  -- across streams (EventStoreDB does not require it), so they get no index of their own
  CONSTRAINT events_stream_revision_key UNIQUE (stream_name, revision) INCLUDE (event_id)
);

-- Whether a stream in this state satisfies the expectation (exact revision, or a keyword).
CREATE FUNCTION ${s}.revision_matches(
  p_expected_kind text, p_expected_revision bigint, p_exists boolean, p_last_revision bigint
) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE p_expected_kind
    WHEN 'any' THEN true
    WHEN 'no_stream' THEN NOT p_exists
    WHEN 'stream_exists' THEN p_exists
    ELSE p_exists AND p_last_revision = p_expected_revision
  END
$$;

-- The last of p_events when all of them already sit in the stream from p_first_revision on, in
-- order: then appending them again is an idempotent retry.
CREATE FUNCTION ${s}.find_previous_append(
  p_stream_name text, p_first_revision bigint, p_events jsonb
) RETURNS TABLE (last_revision bigint, commit_position xid8, prepare_position bigint)
LANGUAGE sql STABLE AS $$
  SELECT last_event.revision, last_event.transaction_id, last_event.seq
  FROM ${s}.events last_event
  WHERE last_event.stream_name = p_stream_name
    AND last_event.revision = p_first_revision + jsonb_array_length(p_events) - 1
    AND (SELECT count(*)
         FROM jsonb_array_elements(p_events) WITH ORDINALITY AS given(event, ordinality)
         JOIN ${s}.events e
           ON e.stream_name = p_stream_name
          AND e.revision = p_first_revision + given.ordinality - 1
          AND e.event_id = (given.event->>'id')::uuid
        ) = jsonb_array_length(p_events)
$$;

-- Appends p_events ([{id, type, schemaVersion, data, metadata}]) in one autocommit statement,
-- and NOTIFYs p_notify_channel unless it is null. Raises ESWER (detail: the actual revision or
-- 'no_stream'), ESDEL (tombstoned), or 40001 when the stream's previous append came from a newer
-- transaction (rare; retry the call). Returns the position of the last event, and outcome
-- 'idempotent' when the events were there already.
CREATE FUNCTION ${s}.append_events(
  p_stream_name text, p_expected_kind text, p_expected_revision bigint, p_events jsonb,
  p_notify_channel text,
  OUT outcome text, OUT next_expected_revision bigint, OUT commit_position xid8,
  OUT prepare_position bigint
) LANGUAGE plpgsql AS $fn$
DECLARE
  v_count constant bigint := jsonb_array_length(p_events);
  v_stream ${s}.streams%ROWTYPE;
  v_exists boolean;
  v_first_revision bigint;
  v_previous_from bigint;
BEGIN
  -- Fast path: with an exact revision one UPDATE checks, locks and bumps the stream. A stream
  -- lock held by an older transaction re-evaluates these conditions on the newer row version.
  IF p_expected_kind = 'exact' AND v_count > 0 THEN
    UPDATE ${s}.streams s
       SET last_revision = p_expected_revision + v_count, last_transaction_id = pg_current_xact_id()
     WHERE s.stream_name = p_stream_name AND s.state = 'live'
       AND s.last_revision = p_expected_revision AND s.last_transaction_id <= pg_current_xact_id();
    IF FOUND THEN
      v_first_revision := p_expected_revision + 1;
    END IF;
  END IF;

  IF v_first_revision IS NULL THEN
    IF p_expected_kind = 'exact' AND v_count > 0 THEN
      -- The fast path failed: the stream is elsewhere, or was last appended to by a newer
      -- transaction. The committed row tells which; queueing for its lock would only delay the
      -- caller's retry.
      SELECT * INTO v_stream FROM ${s}.streams s WHERE s.stream_name = p_stream_name;
    ELSE
      SELECT * INTO v_stream FROM ${s}.streams s WHERE s.stream_name = p_stream_name
        FOR NO KEY UPDATE;
    END IF;
    IF NOT FOUND THEN
      IF p_expected_kind IN ('exact', 'stream_exists') THEN
        RAISE EXCEPTION 'wrong expected revision' USING ERRCODE = '${WRONG_EXPECTED_REVISION_SQLSTATE}', DETAIL = 'no_stream';
      END IF;
      IF v_count = 0 THEN
        outcome := 'appended';
        next_expected_revision := -1;
        RETURN;
      END IF;
      INSERT INTO ${s}.streams AS s (stream_name, last_revision, last_transaction_id)
      VALUES (p_stream_name, v_count - 1, pg_current_xact_id())
      ON CONFLICT (stream_name) DO NOTHING;
      IF NOT FOUND THEN
        -- another transaction created the stream meanwhile; try again against its row
        RAISE EXCEPTION 'stream created concurrently' USING ERRCODE = '${RETRYABLE_SQLSTATE}';
      END IF;
      v_first_revision := 0;
    END IF;
  END IF;

  IF v_first_revision IS NULL THEN
    IF v_stream.state = 'tombstoned' THEN
      RAISE EXCEPTION 'stream deleted' USING ERRCODE = '${STREAM_DELETED_SQLSTATE}';
    END IF;
    v_exists := v_stream.state = 'live' AND v_stream.last_revision >= 0;

    IF NOT ${s}.revision_matches(p_expected_kind, p_expected_revision, v_exists, v_stream.last_revision) THEN
      -- the events may already be where the expectation places them: an idempotent retry
      IF v_exists AND v_count > 0 AND p_expected_kind IN ('exact', 'no_stream') THEN
        v_previous_from := CASE p_expected_kind WHEN 'exact' THEN p_expected_revision + 1 ELSE 0 END;
        SELECT 'idempotent', p.last_revision, p.commit_position, p.prepare_position
          INTO outcome, next_expected_revision, commit_position, prepare_position
          FROM ${s}.find_previous_append(p_stream_name, v_previous_from, p_events) p;
        IF FOUND THEN RETURN; END IF;
      END IF;
      RAISE EXCEPTION 'wrong expected revision' USING ERRCODE = '${WRONG_EXPECTED_REVISION_SQLSTATE}',
        DETAIL = CASE WHEN v_exists THEN v_stream.last_revision::text ELSE 'no_stream' END;
    END IF;
    IF p_expected_kind = 'exact' AND v_count > 0 THEN
      RAISE EXCEPTION 'stream appended by a newer transaction' USING ERRCODE = '${RETRYABLE_SQLSTATE}';
    END IF;

    -- 'any' and 'stream_exists' name no place: look for the ids anywhere in the visible stream
    IF v_exists AND v_count > 0 AND p_expected_kind IN ('any', 'stream_exists') THEN
      SELECT min(e.revision) INTO v_previous_from
      FROM ${s}.events e
      WHERE e.stream_name = p_stream_name
        AND e.revision >= coalesce(v_stream.truncate_before, 0)
        AND e.event_id IN (SELECT (given->>'id')::uuid FROM jsonb_array_elements(p_events) given);
      IF v_previous_from IS NOT NULL THEN
        SELECT 'idempotent', p.last_revision, p.commit_position, p.prepare_position
          INTO outcome, next_expected_revision, commit_position, prepare_position
          FROM ${s}.find_previous_append(p_stream_name, v_previous_from, p_events) p;
        IF FOUND THEN RETURN; END IF;
        RAISE EXCEPTION 'events partly appended already' USING ERRCODE = '${WRONG_EXPECTED_REVISION_SQLSTATE}',
          DETAIL = v_stream.last_revision::text;
      END IF;
    END IF;

    IF v_count = 0 THEN
      outcome := 'appended';
      next_expected_revision := CASE WHEN v_exists THEN v_stream.last_revision ELSE -1 END;
      SELECT e.transaction_id, e.seq INTO commit_position, prepare_position
        FROM ${s}.events e
       WHERE v_exists AND e.stream_name = p_stream_name AND e.revision = v_stream.last_revision;
      RETURN;
    END IF;

    IF v_stream.last_transaction_id > pg_current_xact_id() THEN
      RAISE EXCEPTION 'stream appended by a newer transaction' USING ERRCODE = '${RETRYABLE_SQLSTATE}';
    END IF;
    v_first_revision := v_stream.last_revision + 1;
    UPDATE ${s}.streams s
       SET last_revision = v_first_revision + v_count - 1,
           last_transaction_id = pg_current_xact_id(),
           state = 'live'
     WHERE s.stream_name = p_stream_name;
  END IF;

  -- rows come out of the function scan in array order, so seq follows revision
  INSERT INTO ${s}.events (revision, schema_version, event_id, stream_name, event_type, data, metadata)
  SELECT v_first_revision + given.ordinality - 1, given.schema_version, given.id, p_stream_name,
         given.type, given.data, given.metadata
  FROM ROWS FROM (jsonb_to_recordset(p_events)
         AS (id uuid, type text, "schemaVersion" integer, data jsonb, metadata jsonb))
       WITH ORDINALITY AS given(id, type, schema_version, data, metadata, ordinality);

  IF p_notify_channel IS NOT NULL THEN
    PERFORM pg_notify(p_notify_channel, '');
  END IF;
  outcome := 'appended';
  next_expected_revision := v_first_revision + v_count - 1;
  commit_position := pg_current_xact_id();
  -- this session drew the batch's sequence numbers in order: the last one is the last event's
  prepare_position := currval('${s}.events_seq');
END
$fn$;

-- Soft delete (p_tombstone false) hides the stream and keeps its revisions for a later append;
-- a tombstone forbids the stream for good.
CREATE FUNCTION ${s}.delete_stream(
  p_stream_name text, p_expected_kind text, p_expected_revision bigint, p_tombstone boolean
) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  v_stream ${s}.streams%ROWTYPE;
  v_exists boolean;
BEGIN
  SELECT * INTO v_stream FROM ${s}.streams s WHERE s.stream_name = p_stream_name FOR NO KEY UPDATE;
  IF FOUND AND v_stream.state = 'tombstoned' THEN
    RAISE EXCEPTION 'stream deleted' USING ERRCODE = '${STREAM_DELETED_SQLSTATE}';
  END IF;
  v_exists := FOUND AND v_stream.state = 'live' AND v_stream.last_revision >= 0;
  IF NOT ${s}.revision_matches(p_expected_kind, p_expected_revision, v_exists, v_stream.last_revision) THEN
    RAISE EXCEPTION 'wrong expected revision' USING ERRCODE = '${WRONG_EXPECTED_REVISION_SQLSTATE}',
      DETAIL = CASE WHEN v_exists THEN v_stream.last_revision::text ELSE 'no_stream' END;
  END IF;

  IF p_tombstone THEN
    INSERT INTO ${s}.streams AS s (stream_name, state) VALUES (p_stream_name, 'tombstoned')
    ON CONFLICT (stream_name) DO UPDATE SET state = 'tombstoned' WHERE v_stream.stream_name IS NOT NULL;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'stream created concurrently' USING ERRCODE = '${RETRYABLE_SQLSTATE}';
    END IF;
  ELSIF v_exists THEN
    -- like EventStoreDB: truncate before the old end, so a later append shows only new events
    UPDATE ${s}.streams s SET state = 'deleted', truncate_before = v_stream.last_revision + 1
     WHERE s.stream_name = p_stream_name;
  END IF;
END
$fn$;
`,
  (s) => `
-- An organization's events in $all order, for replaying its history (readAll with an
-- organizationId filter) without reading every other organization's.
CREATE INDEX events_organization_position
  ON ${s}.events ((metadata->>'orgId'), transaction_id, seq)
  WHERE metadata->>'orgId' IS NOT NULL;
`,
];

/**
 * Creates or upgrades the schema. Several processes may start at once: an advisory lock per
 * schema serialises them, and each applies only the migrations it finds missing.
 */
export async function migrateSchema(pool: Pool, schema: string): Promise<void> {
  const quoted = `"${validateSchemaName(schema)}"`;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      "SELECT pg_advisory_xact_lock(hashtext('orgplane.event-store'), hashtext($1))",
      [schema],
    );
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${quoted}.schema_migrations (
         version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number | null }>(
      `SELECT max(version) AS version FROM ${quoted}.schema_migrations`,
    );
    const applied = rows[0].version ?? 0;
    for (let version = applied + 1; version <= MIGRATIONS.length; version++) {
      await client.query(MIGRATIONS[version - 1](quoted));
      await client.query(`INSERT INTO ${quoted}.schema_migrations (version) VALUES ($1)`, [
        version,
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
