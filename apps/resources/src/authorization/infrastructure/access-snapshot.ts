import type {
  OrganizationRole,
  ResourceKind,
  ResourceVisibility,
  Scope,
} from '@orgplane/contracts';
import type { Position } from '@orgplane/event-store';
import { qualifiedTable, readCheckpoint } from '@orgplane/projections';
import type { DataSource } from 'typeorm';
import { RESOURCES_REGISTRY_TABLE } from '../../registry/infrastructure/resource.entity';
import type { AccessSnapshot } from '../domain/access-index';
import {
  ACCESS_API_KEYS_TABLE,
  ACCESS_MEMBERS_TABLE,
  ACCESS_POLICIES_TABLE,
} from './access-tables.entity';

/**
 * The runner (read-models.ts) that folds the access tables and the registry together: its one
 * checkpoint says how far all of them are.
 */
export const ACCESS_READ_MODELS_PROJECTION = 'resources';

/** Rows are read this many at a time, so a large table is never one huge result in memory. */
const PAGE = 10_000;

/** PostgreSQL codes meaning the read models are not (yet, or no longer) in the expected shape. */
const UNDEFINED_TABLE = '42P01';
const UNDEFINED_COLUMN = '42703';

export interface LoadedSnapshot {
  snapshot: AccessSnapshot;
  /** how far the read models were when read; null when nothing was ever folded */
  position: Position | null;
}

/**
 * Reads the access tables, the registry and their checkpoint in one REPEATABLE READ transaction:
 * the runner commits each batch of rows with its checkpoint, so the snapshot is exactly the state
 * as of that position, and following `$all` after it misses and repeats nothing.
 *
 * Returns an empty snapshot at no position (follow `$all` from its start) when there is no
 * checkpoint or the tables are not in the shape expected (a runner has not set them up yet, or is
 * about to rebuild them for a new version): the events are the truth either way.
 */
export async function loadAccessSnapshot(
  dataSource: DataSource,
  schema: string,
): Promise<LoadedSnapshot> {
  const empty: LoadedSnapshot = {
    snapshot: { members: [], apiKeys: [], resources: [], policies: [] },
    position: null,
  };
  const runner = dataSource.createQueryRunner('slave');
  await runner.connect();
  try {
    await runner.startTransaction('REPEATABLE READ');
    try {
      const position = await readCheckpoint(runner, schema, ACCESS_READ_MODELS_PROJECTION);
      if (!position) return empty;
      const table = (name: string) => qualifiedTable(schema, name);
      const members = await pages<{
        organizationId: string;
        userId: string;
        role: OrganizationRole;
      }>(
        runner,
        `SELECT organization_id AS "organizationId", user_id AS "userId", role
         FROM ${table(ACCESS_MEMBERS_TABLE)}`,
      );
      const apiKeys = await pages<{
        keyId: string;
        organizationId: string;
        ownerUserId: string;
        scopes: Scope[];
        revoked: boolean;
        expiresAt: Date | null;
      }>(
        runner,
        `SELECT key_id AS "keyId", organization_id AS "organizationId",
           owner_user_id AS "ownerUserId", scopes, revoked, expires_at AS "expiresAt"
         FROM ${table(ACCESS_API_KEYS_TABLE)} WHERE NOT revoked`,
      );
      const resources = await pages<{
        id: string;
        organizationId: string;
        kind: ResourceKind;
        ownerUserId: string;
        visibility: ResourceVisibility;
      }>(
        runner,
        `SELECT id, organization_id AS "organizationId", kind, owner_user_id AS "ownerUserId",
           visibility
         FROM ${table(RESOURCES_REGISTRY_TABLE)}`,
      );
      const policies = await pages<{ organizationId: string; allowPublicResources: boolean }>(
        runner,
        `SELECT organization_id AS "organizationId",
           allow_public_resources AS "allowPublicResources"
         FROM ${table(ACCESS_POLICIES_TABLE)}`,
      );
      return { snapshot: { members, apiKeys, resources, policies }, position };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === UNDEFINED_TABLE || code === UNDEFINED_COLUMN) return empty;
      throw error;
    } finally {
      await runner.rollbackTransaction().catch(() => undefined);
    }
  } finally {
    await runner.release();
  }
}

/** The whole result of `select`, fetched PAGE rows at a time through a cursor of the snapshot. */
async function pages<Row>(
  runner: { query(sql: string, parameters?: unknown[]): Promise<unknown> },
  select: string,
): Promise<Row[]> {
  const rows: Row[] = [];
  await runner.query(`DECLARE access_snapshot NO SCROLL CURSOR FOR ${select}`);
  try {
    for (;;) {
      const page = (await runner.query(`FETCH ${PAGE} FROM access_snapshot`)) as Row[];
      for (const row of page) rows.push(row);
      if (page.length < PAGE) return rows;
    }
  } finally {
    // after a failed FETCH the transaction is aborted and CLOSE fails too: the first error counts
    await runner.query('CLOSE access_snapshot').catch(() => undefined);
  }
}
