import type { Position } from '@orgplane/event-store';
import { qualifiedTable } from '@orgplane/projections';
import { decodeFold } from '../domain/fold-codec';
import type { OrganizationFold } from '../domain/organization-fold';
import { HISTORY_SNAPSHOTS_TABLE } from './history.tables';

/** A moment as replay works with it. */
export type ReplayMoment = { at: Date } | { position: Position };

/** Runs one statement and gives its rows: a TypeORM DataSource's or a pg Pool's query. */
export type SqlQuery = (text: string, parameters: unknown[]) => Promise<unknown[]>;

/**
 * Finds the snapshot a replay starts from, the latest one wholly before the moment, and loads it.
 * Two steps: a snapshot runs to megabytes, and one already in memory need not be read again.
 */
export class HistorySnapshotsQuery {
  private readonly table: string;

  constructor(
    private readonly query: SqlQuery,
    schema: string,
  ) {
    this.table = qualifiedTable(schema, HISTORY_SNAPSHOTS_TABLE);
  }

  /**
   * The position of the latest snapshot before the moment. Before a time: every event in it was
   * recorded at or before that time. Before a position: at it or earlier, or strictly earlier
   * when `exclusive`.
   */
  async latestBefore(
    organizationId: string,
    moment: ReplayMoment,
    { exclusive = false } = {},
  ): Promise<Position | null> {
    const [row] = (
      'at' in moment
        ? await this.query(
            `SELECT commit_position::text AS commit, prepare_position::text AS prepare
               FROM ${this.table}
              WHERE organization_id = $1 AND recorded_through <= $2
              ORDER BY recorded_through DESC, commit_position DESC, prepare_position DESC LIMIT 1`,
            [organizationId, moment.at],
          )
        : await this.query(
            `SELECT commit_position::text AS commit, prepare_position::text AS prepare
               FROM ${this.table}
              WHERE organization_id = $1
                AND (commit_position, prepare_position) ${exclusive ? '<' : '<='} ($2::numeric, $3::numeric)
              ORDER BY commit_position DESC, prepare_position DESC LIMIT 1`,
            [organizationId, moment.position.commit.toString(), moment.position.prepare.toString()],
          )
    ) as { commit: string; prepare: string }[];
    return row ? { commit: BigInt(row.commit), prepare: BigInt(row.prepare) } : null;
  }

  /**
   * The organization's snapshot at `position`, as latestBefore found it; null if it went since
   * (a rebuild of the snapshots empties the table first).
   */
  async load(organizationId: string, position: Position): Promise<OrganizationFold | null> {
    const [row] = (await this.query(
      `SELECT fold FROM ${this.table}
        WHERE organization_id = $1 AND commit_position = $2 AND prepare_position = $3`,
      [organizationId, position.commit.toString(), position.prepare.toString()],
    )) as { fold: string }[];
    return row ? decodeFold(row.fold) : null;
  }
}
