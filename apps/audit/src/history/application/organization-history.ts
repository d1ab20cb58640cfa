import type { OrganizationHistoryDiff, OrganizationHistoryState } from '@orgplane/contracts';
import {
  formatPosition,
  parsePosition,
  type EventStore,
  type Position,
} from '@orgplane/event-store';
import { diffHistoryStates } from '../domain/history-diff';
import { historyStateOf } from '../domain/history-state';
import {
  branchFold,
  emptyFold,
  foldEvent,
  type OrganizationFold,
} from '../domain/organization-fold';
import { FoldCache } from '../infrastructure/fold-cache';
import { foldableOf } from '../infrastructure/foldable-event';
import type {
  HistorySnapshotsQuery,
  ReplayMoment,
} from '../infrastructure/history-snapshots.query';

/** Events read per page of the organization's events. */
const PAGE_SIZE = 2000;

/**
 * Decoded snapshots kept for the next replays, by their estimated size. Reading and decoding a
 * big organization's snapshot (megabytes of JSON) is most of a replay's time; replays of one
 * organization tend to come together (a diff, an investigation going back and forth).
 */
export const DECODED_SNAPSHOTS_BYTES = 64 * 1024 * 1024;

/**
 * The organization as of a moment: the latest snapshot wholly before it (none: the empty fold),
 * then the organization's events after the snapshot, read from the event store itself, so the
 * answer is complete however far the snapshot projection lags. Without `snapshots`, every replay
 * folds from the first event (what the snapshots are checked against, and the bench's cold case).
 */
export class OrganizationHistory {
  /** snapshots loaded, by organization and position; never folded into (see branchFold) */
  private readonly decoded: FoldCache;
  /** loads under way, which a concurrent replay from the same snapshot waits for */
  private readonly loading = new Map<string, Promise<OrganizationFold | null>>();

  constructor(
    private readonly store: EventStore,
    private readonly snapshots: HistorySnapshotsQuery | null,
    decodedSnapshotsBytes = DECODED_SNAPSHOTS_BYTES,
  ) {
    this.decoded = new FoldCache(decodedSnapshotsBytes);
  }

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
    const fold = await this.startingFold(organizationId, moment);
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

  /** A fold of its own to fold the tail into: a branch of the snapshot, or the empty fold. */
  private async startingFold(
    organizationId: string,
    moment: ReplayMoment,
  ): Promise<OrganizationFold> {
    const position = await this.snapshots?.latestBefore(organizationId, moment);
    const snapshot = position ? await this.snapshot(organizationId, position) : null;
    return snapshot ? branchFold(snapshot) : emptyFold(organizationId);
  }

  private async snapshot(
    organizationId: string,
    position: Position,
  ): Promise<OrganizationFold | null> {
    const key = `${organizationId}@${formatPosition(position)}`;
    const kept = this.decoded.get(key);
    if (kept) return kept;
    let loading = this.loading.get(key);
    if (!loading) {
      loading = this.snapshots!.load(organizationId, position).finally(() =>
        this.loading.delete(key),
      );
      this.loading.set(key, loading);
    }
    const snapshot = await loading;
    if (snapshot) this.decoded.set(key, snapshot);
    return snapshot;
  }
}

/** When the moment was: what expires with time (invitations, keys) is shown as it stood then. */
function timeOf(fold: OrganizationFold, moment: ReplayMoment): Date {
  if ('at' in moment) return moment.at;
  return fold.asOf ? new Date(fold.asOf) : new Date();
}
