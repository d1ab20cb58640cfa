import type { AuditEntry } from '@orgplane/contracts';
import { formatPosition, type RecordedEvent } from '@orgplane/event-store';
import type { Projection, ProjectionContext } from '@orgplane/projections';
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
    // Part after part: while the server stores one part, the next is chained and hashed here
    // (one statement at a time on the connection, as the driver requires).
    let writing: Promise<void> = Promise.resolve();
    for (let start = 0; start < batch.length; start += WRITE_PART) {
      const part = chainEntries(batch.slice(start, start + WRITE_PART), heads, logged);
      for (const [orgId, head] of part.heads) heads.set(orgId, head);
      for (const { id, orgId, eventType } of part.entries) {
        logged.set(id, { orgId, action: eventType });
      }
      await writing;
      writing = writeEntries(context, part.entries, part.heads);
      // awaited below; should chaining the next part throw first, the runner rolls back anyway
      writing.catch(() => undefined);
    }
    await writing;
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

/** The entries table's columns, each with its type and its value in an entry. */
const ENTRY_FIELDS: [column: string, type: string, value: (entry: AuditEntry) => unknown][] = [
  ['org_id', 'uuid', (entry) => entry.orgId],
  ['sequence', 'bigint', (entry) => entry.sequence],
  ['id', 'uuid', (entry) => entry.id],
  ['action', 'text', (entry) => entry.eventType],
  ['actor_type', 'text', (entry) => entry.actorType],
  ['actor_user_id', 'text', (entry) => entry.actorUserId],
  ['actor_api_key_id', 'text', (entry) => entry.actorApiKeyId],
  ['actor_system_id', 'text', (entry) => entry.actorSystemId],
  ['resource_type', 'text', (entry) => entry.resourceType],
  ['resource_id', 'text', (entry) => entry.resourceId],
  ['targets', 'json', (entry) => JSON.stringify(entry.targets)],
  ['attributes', 'json', (entry) => JSON.stringify(entry.attributes)],
  ['cause_entry_id', 'uuid', (entry) => entry.cause?.entryId ?? null],
  ['cause_action', 'text', (entry) => entry.cause?.action ?? null],
  ['request_id', 'text', (entry) => entry.requestId],
  ['correlation_id', 'text', (entry) => entry.correlationId],
  ['ip', 'text', (entry) => entry.ip],
  ['user_agent', 'text', (entry) => entry.userAgent],
  ['created_at', 'timestamptz', (entry) => entry.createdAt],
  ['position', 'text', (entry) => entry.position],
  ['previous_hash', 'text', (entry) => entry.previousHash],
  ['hash', 'text', (entry) => entry.hash],
];

/**
 * The entries, their targets (unpacked by the server from the entries' own `targets`) and the
 * moved heads in one statement, the rows as one array per column (`unnest`). Measured against the
 * batch as one JSON parameter that the server unpacks (`json_to_recordset`,
 * `jsonb_array_elements`), this caught up a quarter faster or more.
 */
async function writeEntries(
  { manager, table }: ProjectionContext,
  entries: AuditEntry[],
  heads: Map<string, ChainHead>,
): Promise<void> {
  const parameters: unknown[] = [];
  /** `$n::type[], …`: one array parameter per column */
  const arrays = (columns: [type: string, values: unknown[]][]) =>
    columns
      .map(([type, values]) => {
        parameters.push(values);
        return `$${parameters.length}::${type}[]`;
      })
      .join(', ');
  const movedHeads = [...heads].map(([orgId, head]) => ({ orgId, ...head }));
  await manager.query(
    `WITH entries AS (
       INSERT INTO ${table(AUDIT_ENTRIES_TABLE)} (${ENTRY_FIELDS.map(([column]) => column).join(', ')})
       SELECT * FROM unnest(${arrays(ENTRY_FIELDS.map(([, type, value]) => [type, entries.map(value)]))})
       RETURNING org_id, sequence, targets
     ),
     targets AS (
       INSERT INTO ${table(AUDIT_ENTRY_TARGETS_TABLE)} (org_id, target_type, target_id, sequence)
       SELECT entry.org_id, target->>'type', target->>'id', entry.sequence
         FROM entries entry, json_array_elements(entry.targets) AS target
     )
     INSERT INTO ${table(AUDIT_CHAIN_HEADS_TABLE)} (org_id, sequence, hash, entry_id)
     SELECT * FROM unnest(${arrays([
       ['uuid', movedHeads.map((head) => head.orgId)],
       ['bigint', movedHeads.map((head) => head.sequence)],
       ['text', movedHeads.map((head) => head.hash)],
       ['uuid', movedHeads.map((head) => head.entryId)],
     ])})
     ON CONFLICT (org_id) DO UPDATE SET
       sequence = EXCLUDED.sequence, hash = EXCLUDED.hash, entry_id = EXCLUDED.entry_id`,
    parameters,
  );
}
