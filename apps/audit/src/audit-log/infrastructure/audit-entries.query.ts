import { Inject, Injectable } from '@nestjs/common';
import type { AuditChainVerification, AuditEntry, PageInfo } from '@orgplane/contracts';
import { qualifiedTable } from '@orgplane/projections';
import { ServiceError } from '@orgplane/util';
import { DataSource } from 'typeorm';
import { AUDIT_CONFIG, type AuditConfig } from '../../audit.config';
import type { ActionFilter } from '../domain/audit-query';
import { ChainVerification, GENESIS_HASH, type ChainLink } from '../domain/hash-chain';
import {
  AUDIT_CHAIN_HEADS_TABLE,
  AUDIT_ENTRIES_TABLE,
  AUDIT_ENTRY_TARGETS_TABLE,
  ENTRY_COLUMNS,
  toAuditEntry,
  type AuditEntryRow,
} from './audit-log.tables';
import { decodeSequenceCursor, encodeSequenceCursor } from './sequence-cursor';

export interface AuditEntryFilter {
  orgId: string;
  /** null: every actor's entries (Admins) */
  actorUserId: string | null;
  actorApiKeyId?: string;
  actorType?: AuditEntry['actorType'];
  actions?: ActionFilter;
  /** entries naming this target, as their main target or another */
  target?: { type: string; id?: string };
  requestId?: string;
  /** inclusive */
  since?: Date;
  /** exclusive */
  until?: Date;
}

export interface AuditPageRequest {
  limit: number;
  cursor?: string;
}

/** Rows of the chain walked per query while verifying: memory stays flat however long the chain. */
const VERIFY_PAGE = 1000;

@Injectable()
export class AuditEntriesQuery {
  private readonly entries: string;
  private readonly targets: string;
  private readonly heads: string;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(AUDIT_CONFIG) config: AuditConfig,
  ) {
    this.entries = qualifiedTable(config.READ_MODEL_SCHEMA, AUDIT_ENTRIES_TABLE);
    this.targets = qualifiedTable(config.READ_MODEL_SCHEMA, AUDIT_ENTRY_TARGETS_TABLE);
    this.heads = qualifiedTable(config.READ_MODEL_SCHEMA, AUDIT_CHAIN_HEADS_TABLE);
  }

  /** Newest first. */
  page(
    filter: AuditEntryFilter,
    request: AuditPageRequest,
  ): Promise<{ rows: AuditEntry[]; page: PageInfo }> {
    return this.select(filter, request, 'DESC');
  }

  /** Oldest first, by sequence: the order the chain is verified in. */
  exportPage(
    filter: AuditEntryFilter,
    request: AuditPageRequest,
  ): Promise<{ rows: AuditEntry[]; page: PageInfo }> {
    return this.select(filter, request, 'ASC');
  }

  /**
   * Recomputes the organization's chain over `fromSequence..toSequence` (default: all of it), a
   * page at a time, and names the first entry that does not hold (see ChainVerification).
   */
  async verify(
    orgId: string,
    range: { fromSequence?: number; toSequence?: number },
  ): Promise<AuditChainVerification> {
    const [head] = (await this.dataSource.query(
      `SELECT sequence::text AS sequence, hash, entry_id FROM ${this.heads} WHERE org_id = $1`,
      [orgId],
    )) as { sequence: string; hash: string; entry_id: string }[];
    if (!head)
      return new ChainVerification({ sequence: 0, hash: GENESIS_HASH }).result({
        fromSequence: null,
        toSequence: null,
      });
    const last = Number(head.sequence);
    const from = range.fromSequence ?? 1;
    const to = Math.min(range.toSequence ?? last, last);
    if (from > to) {
      throw ServiceError.validation({
        fromSequence: [
          `The range ${from}..${range.toSequence ?? last} holds no entry (the chain has ${last})`,
        ],
      });
    }
    const verification = new ChainVerification(await this.predecessor(orgId, from));
    for (let after = from - 1; !verification.done;) {
      const rows = (await this.dataSource.query(
        `SELECT ${ENTRY_COLUMNS} FROM ${this.entries} entry
          WHERE entry.org_id = $1 AND entry.sequence > $2 AND entry.sequence <= $3
          ORDER BY entry.sequence LIMIT ${VERIFY_PAGE}`,
        [orgId, after, to],
      )) as AuditEntryRow[];
      verification.check(rows.map(toAuditEntry));
      if (rows.length < VERIFY_PAGE) break;
      after = Number(rows[rows.length - 1].sequence);
    }
    if (!verification.done && verification.nextSequence <= to) {
      const [next] = (await this.dataSource.query(
        `SELECT id, sequence::text AS sequence, previous_hash FROM ${this.entries}
          WHERE org_id = $1 AND sequence > $2 ORDER BY sequence LIMIT 1`,
        [orgId, to],
      )) as { id: string; sequence: string; previous_hash: string }[];
      verification.missingTail(
        next
          ? { id: next.id, sequence: Number(next.sequence), storedHash: next.previous_hash }
          : { id: head.entry_id, sequence: last, storedHash: head.hash },
      );
    }
    return verification.result({ fromSequence: from, toSequence: to });
  }

  /** The nearest entry before `sequence` (its predecessor, unless that was deleted). */
  private async predecessor(orgId: string, sequence: number): Promise<ChainLink> {
    const [row] = (await this.dataSource.query(
      `SELECT sequence::text AS sequence, hash FROM ${this.entries}
        WHERE org_id = $1 AND sequence < $2 ORDER BY sequence DESC LIMIT 1`,
      [orgId, sequence],
    )) as { sequence: string; hash: string }[];
    return row
      ? { sequence: Number(row.sequence), hash: row.hash }
      : { sequence: 0, hash: GENESIS_HASH };
  }

  /** Keyset pages by sequence: as cheap deep in a year of history as on its first page. */
  private async select(
    filter: AuditEntryFilter,
    { limit, cursor }: AuditPageRequest,
    direction: 'ASC' | 'DESC',
  ): Promise<{ rows: AuditEntry[]; page: PageInfo }> {
    const parameters: unknown[] = [];
    const bind = (value: unknown) => {
      parameters.push(value);
      return `$${parameters.length}`;
    };
    const conditions = [`entry.org_id = ${bind(filter.orgId)}`];
    if (filter.actorUserId !== null)
      conditions.push(`entry.actor_user_id = ${bind(filter.actorUserId)}`);
    if (filter.actorApiKeyId)
      conditions.push(`entry.actor_api_key_id = ${bind(filter.actorApiKeyId)}`);
    if (filter.actorType) conditions.push(`entry.actor_type = ${bind(filter.actorType)}`);
    if (filter.actions) conditions.push(actionCondition(filter.actions, bind));
    if (filter.target) {
      const { type, id } = filter.target;
      conditions.push(
        `entry.sequence IN (SELECT target.sequence FROM ${this.targets} target
          WHERE target.org_id = entry.org_id AND target.target_type = ${bind(type)}
          ${id === undefined ? '' : `AND target.target_id = ${bind(id)}`})`,
      );
    }
    if (filter.requestId) conditions.push(`entry.request_id = ${bind(filter.requestId)}`);
    if (filter.since) conditions.push(`entry.created_at >= ${bind(filter.since)}`);
    if (filter.until) conditions.push(`entry.created_at < ${bind(filter.until)}`);
    if (cursor !== undefined) {
      const after = decodeSequenceCursor(cursor);
      conditions.push(`entry.sequence ${direction === 'DESC' ? '<' : '>'} ${bind(after)}`);
    }
    const rows = (await this.dataSource.query(
      `SELECT ${ENTRY_COLUMNS} FROM ${this.entries} entry
        WHERE ${conditions.join(' AND ')}
        ORDER BY entry.sequence ${direction} LIMIT ${bind(limit + 1)}`,
      parameters,
    )) as AuditEntryRow[];
    const entries = rows.slice(0, limit).map(toAuditEntry);
    const hasMore = rows.length > limit;
    return {
      rows: entries,
      page: {
        hasMore,
        nextCursor: hasMore ? encodeSequenceCursor(entries[entries.length - 1].sequence) : null,
      },
    };
  }
}

/**
 * Exact actions, or prefixes as ranges: in the C collation `member.` up to `member/` (the next
 * character) holds exactly the actions starting `member.`, and the action index serves it.
 */
function actionCondition(
  { actions, prefixes }: ActionFilter,
  bind: (value: unknown) => string,
): string {
  const alternatives = prefixes.map(
    (prefix) =>
      `(entry.action >= ${bind(prefix)} AND entry.action < ${bind(`${prefix.slice(0, -1)}/`)})`,
  );
  if (actions.length) alternatives.push(`entry.action = ANY(${bind(actions)}::text[])`);
  return `(${alternatives.join(' OR ')})`;
}
