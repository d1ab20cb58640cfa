import type { OrganizationHistoryDiff, OrganizationHistoryState } from '@orgplane/contracts';
import { parsePosition, type EventStore, type Position } from '@orgplane/event-store';
import { diffHistoryStates } from '../domain/history-diff';
import { historyStateOf } from '../domain/history-state';
import { emptyFold, foldEvent, type OrganizationFold } from '../domain/organization-fold';
import { foldableOf } from '../infrastructure/foldable-event';
import type {
  HistorySnapshotsQuery,
  ReplayMoment,
} from '../infrastructure/history-snapshots.query';

/** Events read per page of the organization's events. */
const PAGE_SIZE = 2000;

/**
 * The organization as of a moment: the latest snapshot wholly before it (none: the empty fold),
 * then the organization's events after the snapshot, read from the event store itself, so the
 * answer is complete however far the snapshot projection lags. Without `snapshots`, every replay
 * folds from the first event (what the snapshots are checked against, and the bench's cold case).
 */
export class OrganizationHistory {
  constructor(
    private readonly store: EventStore,
    private readonly snapshots: HistorySnapshotsQuery | null,
  ) {}

  async stateAt(organizationId: string, moment: ReplayMoment): Promise<OrganizationHistoryState> {
    const fold = await this.foldAt(organizationId, moment);
    return historyStateOf(fold, timeOf(fold, moment));
  }

  async diff(
    organizationId: string,
    from: ReplayMoment,
    to: ReplayMoment,
  ): Promise<OrganizationHistoryDiff> {
    const [before, after] = await Promise.all([
      this.stateAt(organizationId, from),
      this.stateAt(organizationId, to),
    ]);
    return diffHistoryStates(before, after);
  }

  async foldAt(organizationId: string, moment: ReplayMoment): Promise<OrganizationFold> {
    const fold =
      (await this.snapshots?.latestBefore(organizationId, moment)) ?? emptyFold(organizationId);
    const until = 'at' in moment ? moment.at.getTime() : null;
    let from: Position | 'start' = fold.position ? parsePosition(fold.position)! : 'start';
    for (;;) {
      const page = await this.store.readAll({
        filter: { organizationId },
        fromPosition: from,
        toPosition: 'position' in moment ? moment.position : undefined,
        maxCount: PAGE_SIZE,
      });
      for (const event of page) {
        if (until !== null && event.createdAt.getTime() > until) return fold;
        foldEvent(fold, foldableOf(event));
      }
      if (page.length < PAGE_SIZE) return fold;
      from = page[page.length - 1].position;
    }
  }
}

/** When the moment was: what expires with time (invitations, keys) is shown as it stood then. */
function timeOf(fold: OrganizationFold, moment: ReplayMoment): Date {
  if ('at' in moment) return moment.at;
  return fold.asOf ? new Date(fold.asOf) : new Date();
}
