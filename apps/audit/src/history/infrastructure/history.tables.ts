/** History replay's table (DDL in history-snapshots.projection.ts). */
export const HISTORY_SNAPSHOTS_TABLE = 'history_snapshots';

/**
 * An organization's fold is stored every this many of its events: a replay reads and folds at most
 * that many after its snapshot, and reading them is most of a replay once the snapshot is in
 * memory. More snapshots mean more storage, growing with the square of the history: for 100,000
 * events, 40 snapshots of 4.3 MB of text on average, 37 MB stored (lz4), where the events take
 * 107 MB; see apps/audit/bench/replay.bench.ts.
 */
export const SNAPSHOT_EVERY = 2500;
