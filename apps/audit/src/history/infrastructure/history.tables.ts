/** History replay's table (DDL in history-snapshots.projection.ts). */
export const HISTORY_SNAPSHOTS_TABLE = 'history_snapshots';

/**
 * An organization's fold is stored every this many of its events: a replay reads and folds at most
 * that many after its snapshot. Fewer means larger tails to fold, more means more megabytes of
 * snapshots per organization; see apps/audit/bench/replay.bench.ts.
 */
export const SNAPSHOT_EVERY = 5000;
