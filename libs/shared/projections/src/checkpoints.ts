import type { Position } from '@orgplane/event-store';
import { qualifiedTable, quoteIdentifier } from './projection';

export const CHECKPOINT_TABLE = 'projection_checkpoints';

/** Notified with `<schema>.<projection name>` by every transaction that moves a checkpoint. */
export const CHECKPOINT_CHANNEL = 'orgplane_projection_checkpoints';

/** Anything that runs SQL and returns rows: a QueryRunner, an EntityManager, a DataSource. */
export interface SqlExecutor {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export interface CheckpointRow {
  name: string;
  commit: string;
  prepare: string;
}

/**
 * Positions are unsigned 64-bit pairs: `numeric(20)` holds them where `bigint` would not, and
 * compares as a row. `position` shows them in their wire form `<commit>:<prepare>` for people.
 */
export function createCheckpointTableSql(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${qualifiedTable(schema, CHECKPOINT_TABLE)} (
    name text PRIMARY KEY,
    commit_position numeric(20) NOT NULL,
    prepare_position numeric(20) NOT NULL,
    position text GENERATED ALWAYS AS (commit_position::text || ':' || prepare_position::text) STORED,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`;
}

export const VERSION_TABLE = 'projection_versions';

/** The version of each projection's read model that is in the tables now (see Projection.version). */
export function createVersionTableSql(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${qualifiedTable(schema, VERSION_TABLE)} (
    name text PRIMARY KEY,
    version integer NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`;
}

/** null when none is recorded: a new read model, or one older than versions. */
export async function readProjectionVersion(
  executor: SqlExecutor,
  schema: string,
  name: string,
): Promise<number | null> {
  const rows = (await executor.query(
    `SELECT version FROM ${qualifiedTable(schema, VERSION_TABLE)} WHERE name = $1`,
    [name],
  )) as { version: number }[];
  return rows.length ? rows[0].version : null;
}

export async function saveProjectionVersion(
  executor: SqlExecutor,
  schema: string,
  name: string,
  version: number,
): Promise<void> {
  await executor.query(
    `INSERT INTO ${qualifiedTable(schema, VERSION_TABLE)} (name, version) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version, updated_at = now()`,
    [name, version],
  );
}

export function createSchemaSql(schema: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`;
}

/** Parameter: `$1` text[] of projection names. */
export function selectCheckpointsSql(schema: string): string {
  return `SELECT name, commit_position::text AS commit, prepare_position::text AS prepare
    FROM ${qualifiedTable(schema, CHECKPOINT_TABLE)} WHERE name = ANY($1::text[])`;
}

export function checkpointPosition(row: CheckpointRow): Position {
  return { commit: BigInt(row.commit), prepare: BigInt(row.prepare) };
}

export function checkpointKey(schema: string, name: string): string {
  return `${schema}.${name}`;
}

export async function readCheckpoint(
  executor: SqlExecutor,
  schema: string,
  name: string,
): Promise<Position | null> {
  try {
    const rows = (await executor.query(selectCheckpointsSql(schema), [[name]])) as CheckpointRow[];
    return rows.length ? checkpointPosition(rows[0]) : null;
  } catch (error) {
    if (isUndefinedTable(error)) return null;
    throw error;
  }
}

/** No runner has set up the schema yet: no checkpoint, rather than an error. */
export function isUndefinedTable(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '42P01';
}

/**
 * Upserts the checkpoint and notifies in one statement; inside the caller's transaction the
 * notification goes out at commit, so a waiter never wakes before the rows are visible.
 */
export async function saveCheckpoint(
  executor: SqlExecutor,
  schema: string,
  name: string,
  position: Position,
): Promise<void> {
  await executor.query(
    `WITH saved AS (
       INSERT INTO ${qualifiedTable(schema, CHECKPOINT_TABLE)} AS checkpoint
         (name, commit_position, prepare_position, updated_at)
       VALUES ($1, $2, $3, now())
       ON CONFLICT (name) DO UPDATE SET
         commit_position = EXCLUDED.commit_position,
         prepare_position = EXCLUDED.prepare_position,
         updated_at = EXCLUDED.updated_at
       RETURNING 1
     )
     SELECT pg_notify($4, $5) FROM saved`,
    [
      name,
      position.commit.toString(),
      position.prepare.toString(),
      CHECKPOINT_CHANNEL,
      checkpointKey(schema, name),
    ],
  );
}

export async function deleteCheckpoint(
  executor: SqlExecutor,
  schema: string,
  name: string,
): Promise<void> {
  await executor.query(`DELETE FROM ${qualifiedTable(schema, CHECKPOINT_TABLE)} WHERE name = $1`, [
    name,
  ]);
}
