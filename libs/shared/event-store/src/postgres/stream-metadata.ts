import type { StreamMetadata } from '../event-store.port';

export interface StreamMetadataRow {
  state: 'live' | 'deleted' | 'tombstoned';
  max_count: string | null;
  max_age_seconds: string | null;
  truncate_before: string | null;
  custom_metadata: Record<string, unknown>;
}

function positiveIntegerOrNull(name: string, value: number | undefined): number | null {
  if (value === undefined) return null;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** The parameters of the set-metadata statement: max count, max age, truncate before, custom. */
export function metadataParameters(
  metadata: StreamMetadata,
): [number | null, number | null, string | null, string] {
  const { maxCount, maxAge, truncateBefore, ...custom } = metadata;
  if (truncateBefore !== undefined && truncateBefore < 0n) {
    throw new RangeError(`truncateBefore must not be negative, got ${truncateBefore}`);
  }
  return [
    positiveIntegerOrNull('maxCount', maxCount),
    positiveIntegerOrNull('maxAge', maxAge),
    truncateBefore === undefined ? null : truncateBefore.toString(),
    JSON.stringify(custom),
  ];
}

export function toStreamMetadata(row: StreamMetadataRow): StreamMetadata {
  return {
    ...row.custom_metadata,
    ...(row.max_count !== null && { maxCount: Number(row.max_count) }),
    ...(row.max_age_seconds !== null && { maxAge: Number(row.max_age_seconds) }),
    ...(row.truncate_before !== null && { truncateBefore: BigInt(row.truncate_before) }),
  };
}
