import type { AuditCause, AuditEntry } from '@orgplane/contracts';
import { describeEvent, type AuditDescription } from './audit-vocabulary';
import { entryHash, GENESIS_HASH, type ChainLink } from './hash-chain';

/** An event as the audit log reads it (the store's RecordedEvent, its position already written out). */
export interface AuditableEvent {
  id: string;
  type: string;
  data: unknown;
  metadata: {
    orgId: string | null;
    actor: { type: 'user' | 'api_key' | 'system'; id: string; userId?: string };
    requestId: string;
    correlationId: string;
    causationId: string;
    ip?: unknown;
    userAgent?: unknown;
  };
  createdAt: Date;
  /** formatPosition of its place in `$all` */
  position: string;
}

/** An event that makes an entry, with what it means. */
export interface DescribedEvent {
  event: AuditableEvent & { metadata: { orgId: string } };
  description: { action: string } & AuditDescription;
}

/** An entry already in the log, as a consequence's cause refers to it. */
export interface LoggedEntry {
  orgId: string;
  action: string;
}

/** The chain's last entry, with its id: what the heads table keeps per organization. */
export interface ChainHead extends ChainLink {
  entryId: string;
}

/**
 * The events of a batch that make entries: those of an organization (identity's carry none) whose
 * type the vocabulary gives an action.
 */
export function describeEvents(events: readonly AuditableEvent[]): DescribedEvent[] {
  const described: DescribedEvent[] = [];
  for (const event of events) {
    const { orgId } = event.metadata;
    if (!orgId) continue;
    const description = describeEvent(event.type, event.data);
    if (description) described.push({ event: event as DescribedEvent['event'], description });
  }
  return described;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What a batch needs from the log before it can be chained: the heads of its organizations, and
 * the entries its consequences may follow from. A request's causation is its request id (not an
 * event's), and a cause within the batch is found there: neither is looked up.
 */
export function lookupsOf(batch: readonly DescribedEvent[]): {
  orgIds: string[];
  causationIds: string[];
} {
  const inBatch = new Set(batch.map(({ event }) => event.id));
  const orgIds = new Set<string>();
  const causationIds = new Set<string>();
  for (const { event } of batch) {
    orgIds.add(event.metadata.orgId);
    const { causationId } = event.metadata;
    if (UUID.test(causationId) && !inBatch.has(causationId)) causationIds.add(causationId);
  }
  return { orgIds: [...orgIds], causationIds: [...causationIds] };
}

/**
 * Chains the batch's entries onto their organizations' heads, in the batch's (`$all`) order.
 * Returns the entries and the new heads of the organizations that got some.
 */
export function chainEntries(
  batch: readonly DescribedEvent[],
  heads: ReadonlyMap<string, ChainHead>,
  logged: ReadonlyMap<string, LoggedEntry>,
): { entries: AuditEntry[]; heads: Map<string, ChainHead> } {
  const movedHeads = new Map<string, ChainHead>();
  const inBatch = new Map<string, LoggedEntry>();
  const entries: AuditEntry[] = [];
  for (const { event, description } of batch) {
    const { orgId } = event.metadata;
    const head = movedHeads.get(orgId) ?? heads.get(orgId);
    const entry = entryOf(event, description, causeOf(event, logged, inBatch), {
      sequence: head?.sequence ?? 0,
      hash: head?.hash ?? GENESIS_HASH,
    });
    entries.push(entry);
    movedHeads.set(orgId, { sequence: entry.sequence, hash: entry.hash, entryId: entry.id });
    inBatch.set(entry.id, { orgId, action: entry.eventType });
  }
  return { entries, heads: movedHeads };
}

/** The entry the event's causation names, when that is an entry of the same organization. */
function causeOf(
  event: DescribedEvent['event'],
  logged: ReadonlyMap<string, LoggedEntry>,
  inBatch: ReadonlyMap<string, LoggedEntry>,
): AuditCause | null {
  const { causationId, orgId } = event.metadata;
  const cause = inBatch.get(causationId) ?? logged.get(causationId);
  return cause && cause.orgId === orgId ? { entryId: causationId, action: cause.action } : null;
}

/** The entry linked after `previous`, hash included. */
function entryOf(
  event: DescribedEvent['event'],
  { action, target, otherTargets, attributes }: DescribedEvent['description'],
  cause: AuditCause | null,
  previous: ChainLink,
): AuditEntry {
  const { actor, orgId, requestId, correlationId, ip, userAgent } = event.metadata;
  const entry: AuditEntry = {
    id: event.id,
    orgId,
    sequence: previous.sequence + 1,
    eventType: action,
    actorType: actor.type,
    actorUserId: actor.type === 'user' ? actor.id : (actor.userId ?? null),
    actorApiKeyId: actor.type === 'api_key' ? actor.id : null,
    actorSystemId: actor.type === 'system' ? actor.id : null,
    resourceType: target.type,
    resourceId: target.id,
    targets: distinctTargets([target, ...otherTargets]),
    attributes,
    cause,
    requestId,
    correlationId,
    ip: typeof ip === 'string' ? ip : null,
    userAgent: typeof userAgent === 'string' ? userAgent : null,
    createdAt: event.createdAt.toISOString(),
    position: event.position,
    previousHash: previous.hash,
    hash: '',
  };
  entry.hash = entryHash(entry);
  return entry;
}

/** Each target once (by type and id), the main one first; entries name a handful at most. */
function distinctTargets(targets: AuditEntry['targets']): AuditEntry['targets'] {
  return targets.filter(
    (target, index) =>
      targets.findIndex((other) => other.type === target.type && other.id === target.id) === index,
  );
}
