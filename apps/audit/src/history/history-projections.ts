import { HistorySnapshotsProjection } from './infrastructure/history-snapshots.projection';

/** One instance for the runner and the module that hands it the event store. */
export const historySnapshotsProjection = new HistorySnapshotsProjection();
