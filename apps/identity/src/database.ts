import { createHash } from 'node:crypto';

/**
 * A key for `pg_advisory_xact_lock` naming `value` within `purpose`: the first 64 bits of a
 * SHA-256, as text for a `bigint` parameter.
 */
export function advisoryLockKey(purpose: string, value: string): string {
  return createHash('sha256').update(`${purpose}:${value}`).digest().readBigInt64BE(0).toString();
}
