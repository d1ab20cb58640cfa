import type { Position } from '@orgplane/event-store';
import { qualifiedTable } from '@orgplane/projections';
import { decodeFold } from '../domain/fold-codec';
import type { OrganizationFold } from '../domain/organization-fold';
import { HISTORY_SNAPSHOTS_TABLE } from './history.tables';

/** A moment as replay works with it. */
export type ReplayMoment = { at: Date } | { position: Position };

/** Runs one statement and gives its rows: a TypeORM DataSource's or a pg Pool's query. */
export type SqlQuery = (text: string, parameters: unknown[]) => Promise<unknown[]>;

/** Finds the snapshot a replay starts from: the latest one wholly before the moment. */
export class HistorySnapshotsQuery {
  private readonly table: string;

  constructor(
    private readonly query: SqlQuery,
    schema: string,
  ) {
    this.table = qualifiedTable(schema, HISTORY_SNAPSHOTS_TABLE);
  }

  /**
   * Before a time: every event in it was recorded at or before that time. Before a position: at
   * it or earlier, or strictly earlier when `exclusive`.
   */
  async latestBefore(
    organizationId: string,
    moment: ReplayMoment,
    { exclusive = false } = {},
  ): Promise<OrganizationFold | null> {
    const [row] = (
      'at' in moment
        ? await this.query(
            `SELECT fold FROM ${this.table}
              WHERE organization_id = $1 AND recorded_through <= $2
              ORDER BY recorded_through DESC, commit_position DESC, prepare_position DESC LIMIT 1`,
            [organizationId, moment.at],
          )
        : await this.query(
            `SELECT fold FROM ${this.table}
              WHERE organization_id = $1
                AND (commit_position, prepare_position) ${exclusive ? '<' : '<='} ($2::numeric, $3::numeric)
              ORDER BY commit_position DESC, prepare_position DESC LIMIT 1`,
            [organizationId, moment.position.commit.toString(), moment.position.prepare.toString()],
          )
    ) as { fold: string }[];
    return row ? decodeFold(row.fold) : null;
  }
}
