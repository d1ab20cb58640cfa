import { z } from 'zod';
import { pageRequestShape } from '../common/page';

/**
 * Payloads of the audit log's subjects. The caller (message header) is a session user or an API
 * key acting for its owner, in its organization; the gateway has checked the `activity:read` scope of
 * keys. Members see only entries they acted in (as themselves or through their keys); Admins see
 * everyone's. Query names follow the reference's `GET /v1/activity` (snake_case, as it spells them).
 */

/** Who acted: a signed-in user, an API key acting for its owner, or the platform itself. */
export const auditActorSchema = z.object({
  type: z.enum(['user', 'api_key', 'system']),
  /** user id, API key id, or the system component (`keys.member-removal`) */
  id: z.string(),
  /** the user an API key acts for */
  userId: z.string().nullable(),
});
export type AuditActor = z.infer<typeof auditActorSchema>;

/** What an entry is about: `{ type: 'member', id: <userId> }`, `{ type: 'api_key', id }`, ... */
export const auditTargetSchema = z.object({
  type: z.string(),
  id: z.string(),
  /** a display name when the event carries one, for people reading the log; entries always set it (null when none) */
  name: z.string().nullable().optional(),
});
export type AuditTarget = z.infer<typeof auditTargetSchema>;

/** The entry a consequence follows from (e.g. a key revoked because its owner was removed). */
export const auditCauseSchema = z.object({
  /** the id of the entry (= event) that caused this one */
  entryId: z.string(),
  action: z.string().nullable(),
});
export type AuditCause = z.infer<typeof auditCauseSchema>;

/** One audit entry, as the API shows it. One per recorded change; its id is the event's id. */
export interface AuditEntry {
  id: string;
  orgId: string;
  /** 1-based, gapless per organization: the entry's place in the organization's hash chain */
  sequence: number;
  /** stable dotted vocabulary: `organization.created`, `member.role_changed`, `secret.revealed` */
  eventType: string;
  actorType: AuditActor['type'];
  /** the user who acted, or whom the API key acts for; null for the system */
  actorUserId: string | null;
  actorApiKeyId: string | null;
  /** the system component, for system entries */
  actorSystemId: string | null;
  /** the main target (also the first of `targets`) */
  resourceType: string;
  resourceId: string;
  /** every target, main one first: `resource_type` + `resource_id` filters match any of them */
  targets: AuditTarget[];
  /**
   * non-secret facts of the change (a role's old and new value, a name, a scope list); never a
   * secret's value, a ciphertext, a key hash or an API key
   */
  attributes: Record<string, unknown>;
  cause: AuditCause | null;
  requestId: string | null;
  correlationId: string | null;
  ip: string | null;
  userAgent: string | null;
  /** when the change was recorded (ISO) */
  createdAt: string;
  /** the event's position in `$all` (formatPosition) */
  position: string;
  /**
   * hex `sha256(previousHash + canonicalJson(content))`, where the content is every field above
   * and previousHash (everything but `hash`), as JSON with keys sorted at every level
   */
  hash: string;
  /** the hash of the entry before in the organization's chain; 64 zeros for the first */
  previousHash: string;
}

const isoInstant = z.iso.datetime({ offset: true });
const idFilter = z.string().min(1).max(200);

export const listAuditEntriesRequestSchema = z.strictObject({
  ...pageRequestShape,
  actor_user_id: z.uuid().optional(),
  actor_api_key_id: z.uuid().optional(),
  actor_type: z.enum(['user', 'api_key', 'system']).optional(),
  /** one action, or several separated by commas; `member.*` matches a prefix */
  event_type: z.string().min(1).max(1000).optional(),
  /** entries naming a target of this type (main or other); with `resource_id`, that target */
  resource_type: z.string().min(1).max(100).optional(),
  /** needs `resource_type` (a 400 otherwise) */
  resource_id: idFilter.optional(),
  request_id: idFilter.optional(),
  /** inclusive */
  since: isoInstant.optional(),
  /** exclusive */
  until: isoInstant.optional(),
});
export type ListAuditEntriesRequest = z.infer<typeof listAuditEntriesRequestSchema>;

export const AUDIT_EXPORT_PAGE_SIZE = { max: 5000, default: 2000 } as const;

/**
 * One page of an export: oldest first, by sequence, `since` inclusive and `until` exclusive, with
 * the list's visibility; the gateway asks for the next until done. The reply's data is the
 * page's entries, its `page` the cursor of the next.
 */
export const exportAuditPageRequestSchema = z.strictObject({
  since: isoInstant.optional(),
  until: isoInstant.optional(),
  /** from a previous page's reply */
  cursor: z.string().min(1).max(512).optional(),
  limit: z.coerce.number().int().min(1).max(AUDIT_EXPORT_PAGE_SIZE.max).optional(),
});
export type ExportAuditPageRequest = z.infer<typeof exportAuditPageRequestSchema>;

/**
 * Verify the organization's chain over a range of sequences (default: all of it); a range holding
 * no entry is a 400.
 */
export const verifyAuditChainRequestSchema = z.strictObject({
  fromSequence: z.coerce.number().int().min(1).optional(),
  toSequence: z.coerce.number().int().min(1).optional(),
});
export type VerifyAuditChainRequest = z.infer<typeof verifyAuditChainRequestSchema>;

export interface AuditChainVerification {
  valid: boolean;
  /** entries checked, the broken one included */
  checked: number;
  fromSequence: number | null;
  toSequence: number | null;
  /** the first entry whose stored hash does not match what its content and predecessor give */
  firstBrokenEntry: {
    id: string;
    sequence: number;
    /**
     * `hash_mismatch`: the entry was edited (expected: the hash its content gives; stored: its
     * hash). `link_mismatch`: its previousHash is not its predecessor's hash, i.e. it or its
     * predecessor was rewritten with a matching hash (expected: the predecessor's hash; stored:
     * its previousHash). `sequence_gap`: entries before it were deleted, and this is where the
     * chain resumes (expected: the hash of the last entry before the gap; stored: its
     * previousHash, or the recorded head's hash when the end of the chain was deleted).
     */
    reason: 'hash_mismatch' | 'link_mismatch' | 'sequence_gap';
    expectedHash: string;
    storedHash: string;
  } | null;
}

export const AUDIT_EXPORT_FORMATS = ['ndjson', 'csv'] as const;

/** `GET /v1/activity/export`: a time range, streamed as NDJSON (default) or CSV. */
export const exportAuditEntriesQuerySchema = z.strictObject({
  format: z.enum(AUDIT_EXPORT_FORMATS).default('ndjson'),
  since: isoInstant.optional(),
  until: isoInstant.optional(),
});
export type ExportAuditEntriesQuery = z.infer<typeof exportAuditEntriesQuerySchema>;
