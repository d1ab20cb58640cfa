import { createHash } from 'node:crypto';
import { quoteIdentifier } from '@orgplane/projections';
import type { DataSource } from 'typeorm';

/**
 * Creates the identity schema's tables that are not read models (no projection sets them up).
 * `IF NOT EXISTS` still fails when another instance (or a projection runner) creates the same
 * object in the same instant; that object then exists, which is all we want.
 */
export async function createIfMissing(
  dataSource: DataSource,
  schema: string,
  ddl: string[],
): Promise<void> {
  for (const statement of [`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`, ...ddl]) {
    await dataSource.query(statement).catch((error: { code?: string }) => {
      // 23505: unique violation in the catalog; 42P06 / 42P07: duplicate schema / table
      if (!['23505', '42P06', '42P07'].includes(error.code ?? '')) throw error;
    });
  }
}

/**
 * A key for `pg_advisory_xact_lock` naming `value` within `purpose`: the first 64 bits of a
 * SHA-256, as text for a `bigint` parameter.
 */
export function advisoryLockKey(purpose: string, value: string): string {
  return createHash('sha256').update(`${purpose}:${value}`).digest().readBigInt64BE(0).toString();
}
