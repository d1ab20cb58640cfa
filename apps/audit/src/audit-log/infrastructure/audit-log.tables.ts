import type { AuditEntry } from '@orgplane/contracts';

/** The audit log's tables (DDL in audit-entries.projection.ts). */
export const AUDIT_ENTRIES_TABLE = 'audit_entries';
export const AUDIT_ENTRY_TARGETS_TABLE = 'audit_entry_targets';
export const AUDIT_CHAIN_HEADS_TABLE = 'audit_chain_heads';

/** The columns an AuditEntry is read from, for `SELECT ${ENTRY_COLUMNS} FROM … entry`. */
export const ENTRY_COLUMNS = `entry.id, entry.org_id, entry.sequence::text AS sequence, entry.action,
  entry.actor_type, entry.actor_user_id, entry.actor_api_key_id, entry.actor_system_id,
  entry.resource_type, entry.resource_id, entry.targets, entry.attributes, entry.cause_entry_id,
  entry.cause_action, entry.request_id, entry.correlation_id, entry.ip, entry.user_agent,
  entry.created_at, entry.position, entry.previous_hash, entry.hash`;

export interface AuditEntryRow {
  id: string;
  org_id: string;
  sequence: string;
  action: string;
  actor_type: AuditEntry['actorType'];
  actor_user_id: string | null;
  actor_api_key_id: string | null;
  actor_system_id: string | null;
  resource_type: string;
  resource_id: string;
  targets: AuditEntry['targets'];
  attributes: Record<string, unknown>;
  cause_entry_id: string | null;
  cause_action: string | null;
  request_id: string | null;
  correlation_id: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: Date;
  position: string;
  previous_hash: string;
  hash: string;
}

/** The entry exactly as it was hashed: verification recomputes hashes from this. */
export function toAuditEntry(row: AuditEntryRow): AuditEntry {
  return {
    id: row.id,
    orgId: row.org_id,
    sequence: Number(row.sequence),
    eventType: row.action,
    actorType: row.actor_type,
    actorUserId: row.actor_user_id,
    actorApiKeyId: row.actor_api_key_id,
    actorSystemId: row.actor_system_id,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    targets: row.targets,
    attributes: row.attributes,
    cause: row.cause_entry_id ? { entryId: row.cause_entry_id, action: row.cause_action } : null,
    requestId: row.request_id,
    correlationId: row.correlation_id,
    ip: row.ip,
    userAgent: row.user_agent,
    createdAt: row.created_at.toISOString(),
    position: row.position,
    previousHash: row.previous_hash,
    hash: row.hash,
  };
}
