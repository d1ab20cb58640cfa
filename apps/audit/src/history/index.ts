import { historySnapshotsProjection } from './history-projections';

export { HistoryModule } from './history.module';
export const historyProjections = [historySnapshotsProjection];
