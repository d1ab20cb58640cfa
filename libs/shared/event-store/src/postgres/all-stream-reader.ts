import type { Pool } from 'pg';
import type { Direction, EventFilter, Position, RecordedEvent } from '../event-store.port';
import { EVENT_COLUMNS, positionParameters, toRecordedEvent, type EventRow } from './event-rows';
import { preparedStatement } from './prepared-statement';

/** Beyond every real position: the exclusive bound of a backwards read from the end. */
export const AFTER_EVERYTHING: Position = {
  commit: 2n ** 64n - 1n,
  prepare: 2n ** 63n - 1n,
};

/**
 * One page of `$all`, read in a single statement together with where the safe prefix of `$all`
 * ends. Transactions commit out of transaction-id order, so only events of transactions older
 * than the oldest one still running (the horizon) are read: nothing can appear below them later.
 */
export interface AllPage {
  events: RecordedEvent[];
  /** oldest transaction id still running when the page was read */
  horizon: bigint;
  /** newest transaction id with committed events, below the horizon or not */
  newestCommit: bigint | null;
  /** position of the last event below the horizon */
  stableHead: Position | null;
}

export interface AllPageRequest {
  direction: Direction;
  /** exclusive: the page starts after it (forwards) or before it (backwards) */
  from: Position;
  filter?: EventFilter;
  /** inclusive: the page ends at it (forwards) or goes no lower (backwards) */
  to?: Position;
  /** null: no limit */
  limit: number | null;
}

interface AllPageRow extends EventRow {
  horizon: string;
  newest_commit: string | null;
  stable_commit: string | null;
  stable_prepare: string | null;
}

/** The page's conditions beyond the start, whose parameters follow the first three. */
function extraConditions(request: AllPageRequest): { sql: string; values: unknown[] } {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const parameter = (value: unknown) => {
    values.push(value);
    return `$${3 + values.length}`;
  };
  const { filter, to } = request;
  if (filter && 'streamNamePrefixes' in filter) {
    conditions.push(`e.stream_name ^@ ANY(${parameter(filter.streamNamePrefixes)}::text[])`);
  } else if (filter && 'eventTypePrefixes' in filter) {
    conditions.push(`e.event_type ^@ ANY(${parameter(filter.eventTypePrefixes)}::text[])`);
  } else if (filter && 'eventTypes' in filter) {
    conditions.push(`e.event_type = ANY(${parameter(filter.eventTypes)}::text[])`);
  } else if (filter) {
    // the expression of events_organization_position: the index serves it in $all order
    conditions.push(`e.metadata->>'orgId' = ${parameter(filter.organizationId)}::text`);
  }
  if (to) {
    const [commit, prepare] = positionParameters(to);
    const bound = request.direction === 'forwards' ? '<=' : '>=';
    conditions.push(
      `(e.transaction_id, e.seq) ${bound} (${parameter(commit)}::xid8, ${parameter(prepare)}::bigint)`,
    );
  }
  return { sql: conditions.map((condition) => `AND ${condition}`).join(' '), values };
}

/**
 * The page's rows, the first one also carrying where the final part of `$all` ends (on every row
 * those columns would only cost parsing).
 */
function pageSql(schema: string, direction: Direction, conditionsSql: string): string {
  const forwards = direction === 'forwards';
  const order = forwards ? 'e.transaction_id ASC, e.seq ASC' : 'e.transaction_id DESC, e.seq DESC';
  const firstRowOnly = (column: string) =>
    `CASE WHEN page.page_row > 1 THEN NULL ELSE ${column} END`;
  return `
    WITH horizon AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
    SELECT ${firstRowOnly('h.xmin::text')} AS horizon,
           ${firstRowOnly('newest.transaction_id::text')} AS newest_commit,
           ${firstRowOnly('stable.transaction_id::text')} AS stable_commit,
           ${firstRowOnly('stable.seq::text')} AS stable_prepare,
           page.*
    FROM horizon h
    LEFT JOIN LATERAL (
      SELECT n.transaction_id FROM "${schema}".events n
      ORDER BY n.transaction_id DESC, n.seq DESC LIMIT 1
    ) newest ON true
    LEFT JOIN LATERAL (
      SELECT s.transaction_id, s.seq FROM "${schema}".events s
      WHERE s.transaction_id < h.xmin
      ORDER BY s.transaction_id DESC, s.seq DESC LIMIT 1
    ) stable ON true
    LEFT JOIN LATERAL (
      SELECT ${EVENT_COLUMNS}, row_number() OVER (ORDER BY ${order}) AS page_row
      FROM "${schema}".events e
      WHERE e.transaction_id < h.xmin
        AND (e.transaction_id, e.seq) ${forwards ? '>' : '<'} ($1::xid8, $2::bigint)
        ${conditionsSql}
      ORDER BY ${order}
      LIMIT $3
    ) page ON true`;
}

function positionOrNull(commit: string | null, prepare: string | null): Position | null {
  return commit === null || prepare === null
    ? null
    : { commit: BigInt(commit), prepare: BigInt(prepare) };
}

export interface SettleTiming {
  /** give up waiting after this long and answer with what is final */
  timeoutMs: number;
  retryDelayMs: number;
}

const sleep = (milliseconds: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

export class AllStreamReader {
  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {}

  /**
   * Reads a page that includes every event committed before the call: an event committed by a
   * transaction newer than one still running cannot be read yet, so this waits (up to
   * `timeoutMs`) until the older ones have finished. A caller who just appended expects to see
   * it; a long transaction elsewhere in the cluster can hold this back until the timeout.
   */
  async readSettledPage(request: AllPageRequest, timing: SettleTiming): Promise<AllPage> {
    const deadline = performance.now() + timing.timeoutMs;
    let newestAtStart: bigint | null | undefined;
    for (;;) {
      const page = await this.readPage(request);
      if (newestAtStart === undefined) newestAtStart = page.newestCommit;
      const settled = newestAtStart === null || page.horizon > newestAtStart;
      // a full forwards page, a forwards one that ends below the horizon, or a backwards one that
      // starts below it, lies wholly in the final part of $all, whatever happens above it
      const finalAlready =
        request.direction === 'forwards'
          ? (request.limit !== null && page.events.length === request.limit) ||
            (request.to !== undefined && request.to.commit < page.horizon)
          : request.from.commit < page.horizon;
      if (settled || finalAlready || performance.now() >= deadline) return page;
      await sleep(timing.retryDelayMs);
    }
  }

  async readPage(request: AllPageRequest): Promise<AllPage> {
    const extra = extraConditions(request);
    const { rows } = await this.pool.query<AllPageRow>(
      preparedStatement(pageSql(this.schema, request.direction, extra.sql), [
        ...positionParameters(request.from),
        request.limit,
        ...extra.values,
      ]),
    );
    const [first] = rows;
    // the LEFT JOINs always yield one row; its event columns are null when the page is empty
    const events = first.event_id === null ? [] : rows.map(toRecordedEvent);
    return {
      events,
      horizon: BigInt(first.horizon),
      newestCommit: first.newest_commit === null ? null : BigInt(first.newest_commit),
      stableHead: positionOrNull(first.stable_commit, first.stable_prepare),
    };
  }
}
