import type { AuditEntry } from '@orgplane/contracts';
import { formatPosition, type RecordedEvent } from '@orgplane/event-store';
import type { Projection, ProjectionContext } from '@orgplane/projections';
import { finished } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  chainEntries,
  describeEvents,
  lookupsOf,
  type AuditableEvent,
  type ChainHead,
  type LoggedEntry,
} from '../domain/audit-entry';
import { AUDITED_EVENT_TYPES } from '../domain/audit-vocabulary';
import {
  AUDIT_CHAIN_HEADS_TABLE,
  AUDIT_ENTRIES_TABLE,
  AUDIT_ENTRY_TARGETS_TABLE,
} from './audit-log.tables';

/**
 * Events per transaction: each batch costs two reads (heads, causes) and a commit whatever its
 * size, so larger batches catch up faster; see apps/audit/bench/catch-up.bench.ts.
 */
const BATCH_SIZE = 1000;
/** Entries per write statement: the next part is hashed while the server stores one (see apply). */
const WRITE_PART = 250;

/**
 * The audit log: one entry per event of an organization, chained per organization. A batch reads
 * the heads of the organizations it touches and the entries its consequences follow from (one
 * query each), computes its entries and new heads in memory, and writes them a part at a time.
 * The runner applies batches one at a time in `$all` order inside the checkpoint's transaction,
 * so a restart continues from the stored heads and a rebuild gives the same entries and hashes.
 */
export const auditEntriesProjection: Projection = {
  name: AUDIT_ENTRIES_TABLE,
  version: 1,
  tables: [AUDIT_ENTRIES_TABLE, AUDIT_ENTRY_TARGETS_TABLE, AUDIT_CHAIN_HEADS_TABLE],
  filter: { eventTypes: AUDITED_EVENT_TYPES },
  batchSize: BATCH_SIZE,
  async setup({ manager, table }) {
    const entries = table(AUDIT_ENTRIES_TABLE);
    // `action` in the C collation: a prefix filter (`member.*`) is then a plain index range.
    // `targets` and `attributes` are `json`, kept as written: nothing queries inside them (the
    // targets table serves the target filter), and inserting jsonb cost more than twice as much.
    await manager.query(`CREATE TABLE IF NOT EXISTS ${entries} (
      org_id uuid NOT NULL,
      sequence bigint NOT NULL,
      id uuid NOT NULL,
      action text COLLATE "C" NOT NULL,
      actor_type text NOT NULL,
      actor_user_id text,
      actor_api_key_id text,
      actor_system_id text,
      resource_type text NOT NULL,
      resource_id text NOT NULL,
      targets json NOT NULL,
      attributes json NOT NULL,
      cause_entry_id uuid,
      cause_action text,
      request_id text,
      correlation_id text,
      ip text,
      user_agent text,
      created_at timestamptz NOT NULL,
      position text NOT NULL,
      previous_hash text NOT NULL,
      hash text NOT NULL,
      PRIMARY KEY (org_id, sequence)
    )`);
    // One index per filter of the list, each ending in the sequence it is paged by. Event ids
    // need not be unique across streams (ADR 0002), so the id index is not unique either.
    for (const [name, columns] of [
      ['audit_entries_id', '(id)'],
      ['audit_entries_by_actor', '(org_id, actor_user_id, sequence)'],
      ['audit_entries_by_action', '(org_id, action, sequence)'],
      ['audit_entries_by_time', '(org_id, created_at)'],
      ['audit_entries_by_request', '(org_id, request_id)'],
    ]) {
      await manager.query(`CREATE INDEX IF NOT EXISTS ${name} ON ${entries} ${columns}`);
    }
    // Every target of every entry (main and others), for "entries naming this target".
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(AUDIT_ENTRY_TARGETS_TABLE)} (
      org_id uuid NOT NULL,
      target_type text NOT NULL,
      target_id text NOT NULL,
      sequence bigint NOT NULL,
      PRIMARY KEY (org_id, target_type, target_id, sequence)
    )`);
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(AUDIT_CHAIN_HEADS_TABLE)} (
      org_id uuid PRIMARY KEY,
      sequence bigint NOT NULL,
      hash text NOT NULL,
      entry_id uuid NOT NULL
    )`);
  },
  async reset({ manager, table }) {
    for (const name of [AUDIT_ENTRIES_TABLE, AUDIT_ENTRY_TARGETS_TABLE, AUDIT_CHAIN_HEADS_TABLE]) {
      await manager.query(`DELETE FROM ${table(name)}`);
    }
  },
  async apply(events, context) {
    const batch = describeEvents(events.map(auditableOf));
    if (!batch.length) return;
    const { orgIds, causationIds } = lookupsOf(batch);
    const heads = await readHeads(context, orgIds);
    const logged = causationIds.length
      ? await readLogged(context, causationIds)
      : new Map<string, LoggedEntry>();
    // Part after part: while the server stores one part, the next is chained, hashed and written
    // out here (one statement at a time on the connection, as the driver requires).
    const movedHeads = new Map<string, ChainHead>();
    let writing: Promise<void> = Promise.resolve();
    for (let start = 0; start < batch.length; start += WRITE_PART) {
      const part = chainEntries(batch.slice(start, start + WRITE_PART), heads, logged);
      for (const [orgId, head] of part.heads) {
        heads.set(orgId, head);
        movedHeads.set(orgId, head);
      }
      for (const { id, orgId, eventType } of part.entries) {
        logged.set(id, { orgId, action: eventType });
      }
      const rows = copyRowsOf(part.entries);
      await writing;
      writing = writeRows(context, rows);
      // awaited below; should chaining the next part throw first, the runner rolls back anyway
      writing.catch(() => undefined);
    }
    await writing;
    await writeHeads(context, movedHeads);
  },
};

function auditableOf(event: RecordedEvent): AuditableEvent {
  return {
    id: event.id,
    type: event.type,
    // The services validated their events when appending them: decoding 50,000 a second again
    // would cost more than the rest of the projection.
    data: event.data,
    metadata: event.metadata,
    createdAt: event.createdAt,
    position: formatPosition(event.position),
  };
}

async function readHeads(
  { manager, table }: ProjectionContext,
  orgIds: string[],
): Promise<Map<string, ChainHead>> {
  const rows = (await manager.query(
    `SELECT org_id, sequence::text AS sequence, hash, entry_id FROM ${table(AUDIT_CHAIN_HEADS_TABLE)}
      WHERE org_id = ANY($1::uuid[])`,
    [orgIds],
  )) as { org_id: string; sequence: string; hash: string; entry_id: string }[];
  return new Map(
    rows.map((row) => [
      row.org_id,
      { sequence: Number(row.sequence), hash: row.hash, entryId: row.entry_id },
    ]),
  );
}

async function readLogged(
  { manager, table }: ProjectionContext,
  entryIds: string[],
): Promise<Map<string, LoggedEntry>> {
  const rows = (await manager.query(
    `SELECT id, org_id, action FROM ${table(AUDIT_ENTRIES_TABLE)} WHERE id = ANY($1::uuid[])`,
    [entryIds],
  )) as { id: string; org_id: string; action: string }[];
  return new Map(rows.map((row) => [row.id, { orgId: row.org_id, action: row.action }]));
}

/** The entries table's columns, each with its value in an entry as COPY's text format takes it. */
const ENTRY_FIELDS: [column: string, value: (entry: AuditEntry) => string | number | null][] = [
  ['org_id', (entry) => entry.orgId],
  ['sequence', (entry) => entry.sequence],
  ['id', (entry) => entry.id],
  ['action', (entry) => entry.eventType],
  ['actor_type', (entry) => entry.actorType],
  ['actor_user_id', (entry) => entry.actorUserId],
  ['actor_api_key_id', (entry) => entry.actorApiKeyId],
  ['actor_system_id', (entry) => entry.actorSystemId],
  ['resource_type', (entry) => entry.resourceType],
  ['resource_id', (entry) => entry.resourceId],
  ['targets', (entry) => JSON.stringify(entry.targets)],
  ['attributes', (entry) => JSON.stringify(entry.attributes)],
  ['cause_entry_id', (entry) => entry.cause?.entryId ?? null],
  ['cause_action', (entry) => entry.cause?.action ?? null],
  ['request_id', (entry) => entry.requestId],
  ['correlation_id', (entry) => entry.correlationId],
  ['ip', (entry) => entry.ip],
  ['user_agent', (entry) => entry.userAgent],
  ['created_at', (entry) => entry.createdAt],
  ['position', (entry) => entry.position],
  ['previous_hash', (entry) => entry.previousHash],
  ['hash', (entry) => entry.hash],
];
const ENTRY_COLUMN_LIST = ENTRY_FIELDS.map(([column]) => column).join(', ');

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_SPECIALS = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};

/** A field in COPY's text format: null as `\N`, the delimiter and line breaks escaped. */
function copyField(value: string | number | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  return COPY_SPECIAL.test(value)
    ? value.replace(COPY_SPECIALS, (char) => COPY_ESCAPES[char])
    : value;
}

/** The entries' rows and their targets' (every target of every entry), in COPY's text format. */
function copyRowsOf(entries: readonly AuditEntry[]): { entries: string; targets: string } {
  let entryRows = '';
  let targetRows = '';
  for (const entry of entries) {
    let row = copyField(ENTRY_FIELDS[0][1](entry));
    for (let index = 1; index < ENTRY_FIELDS.length; index++) {
      row += `\t${copyField(ENTRY_FIELDS[index][1](entry))}`;
    }
    entryRows += `${row}\n`;
    for (const target of entry.targets) {
      targetRows += `${entry.orgId}\t${copyField(target.type)}\t${copyField(target.id)}\t${entry.sequence}\n`;
    }
  }
  return { entries: entryRows, targets: targetRows };
}

/**
 * Each table's rows in one COPY: measured against one multi-row INSERT of a column array each
 * (`unnest`), the server spends about a third less per entry, and this process no longer
 * serialises 22 arrays.
 */
async function writeRows(
  { manager, table }: ProjectionContext,
  rows: { entries: string; targets: string },
): Promise<void> {
  // the transaction's own connection: the runner's, which the entity manager was made for
  const client = (await manager.queryRunner?.connect()) as PoolClient | undefined;
  if (!client) throw new Error("The audit projection writes within the runner's transaction");
  await copyInto(client, `${table(AUDIT_ENTRIES_TABLE)} (${ENTRY_COLUMN_LIST})`, rows.entries);
  await copyInto(
    client,
    `${table(AUDIT_ENTRY_TARGETS_TABLE)} (org_id, target_type, target_id, sequence)`,
    rows.targets,
  );
}

async function copyInto(client: PoolClient, target: string, rows: string): Promise<void> {
  const copy = client.query(copyFrom(`COPY ${target} FROM STDIN`));
  copy.end(rows);
  await finished(copy);
}

/** The organizations' new heads, in one statement. */
async function writeHeads(
  { manager, table }: ProjectionContext,
  heads: ReadonlyMap<string, ChainHead>,
): Promise<void> {
  const movedHeads = [...heads.entries()];
  await manager.query(
    `INSERT INTO ${table(AUDIT_CHAIN_HEADS_TABLE)} (org_id, sequence, hash, entry_id)
     SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::uuid[])
     ON CONFLICT (org_id) DO UPDATE SET
       sequence = EXCLUDED.sequence, hash = EXCLUDED.hash, entry_id = EXCLUDED.entry_id`,
    [
      movedHeads.map(([orgId]) => orgId),
      movedHeads.map(([, head]) => head.sequence),
      movedHeads.map(([, head]) => head.hash),
      movedHeads.map(([, head]) => head.entryId),
    ],
  );
}
