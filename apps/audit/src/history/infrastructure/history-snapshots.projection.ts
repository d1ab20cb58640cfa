import {
  comparePositions,
  parsePosition,
  type Position,
  type RecordedEvent,
} from '@orgplane/event-store';
import type { Projection, ProjectionContext } from '@orgplane/projections';
import { encodeFold } from '../domain/fold-codec';
import {
  emptyFold,
  FOLDED_STREAM_PREFIXES,
  foldEvent,
  isFolded,
  type OrganizationFold,
} from '../domain/organization-fold';
import { FoldCache } from './fold-cache';
import { foldableOf } from './foldable-event';
import { HistorySnapshotsQuery } from './history-snapshots.query';
import { HISTORY_SNAPSHOTS_TABLE, SNAPSHOT_EVERY } from './history.tables';

/** Events per transaction: snapshots are few, so a batch is mostly folding in memory. */
const BATCH_SIZE = 1000;

/**
 * What the folds kept between batches may take (estimated); the others are rebuilt on demand.
 * An idle service keeps them, so this is most of what catching up leaves it holding.
 */
export const KEPT_FOLDS_BYTES = 16 * 1024 * 1024;

/** Events read per page when a fold is rebuilt from its snapshot. */
const READ_PAGE = 2000;

/**
 * Folds each organization's events as replay does and stores its fold every `snapshotEvery` of
 * its events: a replay then folds at most that many events after the latest snapshot before its
 * moment. Folds are kept in memory for the organizations seen last; any other (after a restart, an
 * eviction, or a batch rolled back) is rebuilt like a replay: its latest snapshot, then its events
 * after it, read from the event store the runner follows.
 */
export class HistorySnapshotsProjection implements Projection {
  readonly name = HISTORY_SNAPSHOTS_TABLE;
  readonly version = 1;
  readonly tables = [HISTORY_SNAPSHOTS_TABLE];
  readonly filter = { streamNamePrefixes: [...FOLDED_STREAM_PREFIXES] };
  readonly batchSize = BATCH_SIZE;
  /** by organization */
  private readonly folds: FoldCache;

  constructor(
    private readonly snapshotEvery = SNAPSHOT_EVERY,
    keptFoldsBytes = KEPT_FOLDS_BYTES,
  ) {
    this.folds = new FoldCache(keptFoldsBytes);
  }

  async setup({ manager, table }: ProjectionContext): Promise<void> {
    // lz4: a fold runs to megabytes, and a replay decompresses one every time
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(HISTORY_SNAPSHOTS_TABLE)} (
      organization_id uuid NOT NULL,
      commit_position numeric(20) NOT NULL,
      prepare_position numeric(20) NOT NULL,
      recorded_through timestamptz NOT NULL,
      fold text COMPRESSION lz4 NOT NULL,
      PRIMARY KEY (organization_id, commit_position, prepare_position)
    )`);
    await manager.query(
      `CREATE INDEX IF NOT EXISTS history_snapshots_by_time
         ON ${table(HISTORY_SNAPSHOTS_TABLE)} (organization_id, recorded_through)`,
    );
  }

  async reset({ manager, table }: ProjectionContext): Promise<void> {
    this.folds.clear();
    await manager.query(`DELETE FROM ${table(HISTORY_SNAPSHOTS_TABLE)}`);
  }

  async apply(events: readonly RecordedEvent[], context: ProjectionContext): Promise<void> {
    const byOrganization = new Map<string, RecordedEvent[]>();
    for (const event of events) {
      const { orgId } = event.metadata;
      if (!orgId || !isFolded(event.streamName)) continue;
      const organizationEvents = byOrganization.get(orgId);
      if (organizationEvents) organizationEvents.push(event);
      else byOrganization.set(orgId, [event]);
    }
    for (const [organizationId, organizationEvents] of byOrganization) {
      const fold = await this.foldBefore(organizationId, organizationEvents[0].position, context);
      for (const event of organizationEvents) {
        foldEvent(fold, foldableOf(event));
        // written at once: a batch's snapshots, megabytes each, are not all held until its end
        if (fold.eventCount % this.snapshotEvery === 0) await writeSnapshot(context, fold);
      }
      this.folds.set(organizationId, fold);
    }
  }

  /**
   * The organization's fold just before `position`. A cached fold that has already seen it
   * belongs to a batch that was rolled back, and is rebuilt like a missing one.
   */
  private async foldBefore(
    organizationId: string,
    position: Position,
    context: ProjectionContext,
  ): Promise<OrganizationFold> {
    const cached = this.folds.get(organizationId);
    const cachedPosition = cached?.position ? parsePosition(cached.position) : null;
    if (cached && (!cachedPosition || comparePositions(cachedPosition, position) < 0)) {
      return cached;
    }
    const snapshots = new HistorySnapshotsQuery(
      (text, parameters) => context.manager.query(text, parameters),
      context.schema,
    );
    const snapshot = await snapshots.latestBefore(
      organizationId,
      { position },
      { exclusive: true },
    );
    const fold =
      (snapshot && (await snapshots.load(organizationId, snapshot))) ?? emptyFold(organizationId);
    let from: Position | 'start' = fold.position ? parsePosition(fold.position)! : 'start';
    for (;;) {
      const page = await context.eventStore.readAll({
        filter: { organizationId },
        fromPosition: from,
        toPosition: position,
        maxCount: READ_PAGE,
      });
      for (const event of page) {
        if (comparePositions(event.position, position) < 0) foldEvent(fold, foldableOf(event));
      }
      if (page.length < READ_PAGE) return fold;
      from = page[page.length - 1].position;
    }
  }
}

/**
 * One snapshot per statement, its text a parameter of its own: a fold runs to megabytes, and an
 * array parameter would be copied once more, escaped, into the array's literal.
 */
async function writeSnapshot({ manager, table }: ProjectionContext, fold: OrganizationFold) {
  const position = parsePosition(fold.position!)!;
  await manager.query(
    `INSERT INTO ${table(HISTORY_SNAPSHOTS_TABLE)}
       (organization_id, commit_position, prepare_position, recorded_through, fold)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING`,
    [
      fold.organizationId,
      position.commit.toString(),
      position.prepare.toString(),
      fold.recordedThrough,
      encodeFold(fold),
    ],
  );
}
