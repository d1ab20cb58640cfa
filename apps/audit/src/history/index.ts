import { HistorySnapshotsProjection } from './infrastructure/history-snapshots.projection';

export { HistoryModule } from './history.module';
export const historyProjections = [new HistorySnapshotsProjection()];
