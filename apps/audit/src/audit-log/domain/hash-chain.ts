import type { AuditChainVerification, AuditEntry } from '@orgplane/contracts';
import { hash } from 'node:crypto';

/** What the first entry of every organization's chain links to. */
export const GENESIS_HASH = '0'.repeat(64);

/** Everything an entry stores but its hash: what the hash commits to. */
export type AuditEntryContent = Omit<AuditEntry, 'hash'>;

/** The last entry of an organization's chain: where the next one links on. */
export interface ChainLink {
  sequence: number;
  hash: string;
}

/**
 * JSON with object keys sorted (by UTF-16 code units, as `Array.prototype.sort` does) and no
 * whitespace: one text per value, whatever order its fields were built or stored in (jsonb
 * reorders keys). Keys whose value is undefined are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  const form = canonicalForm(value);
  return form === WRITTEN_BY_HAND ? sortedJson(value) : stringified(form, value);
}

/** What canonicalForm returns for a value JSON.stringify cannot write in canonical order. */
const WRITTEN_BY_HAND = Symbol('written by hand');

/** Keys that objects list first, in numeric order, whatever order they were added in. */
const INDEX_KEY = /^(?:0|[1-9][0-9]*)$/;

/**
 * The value in a form whose JSON.stringify text is the canonical one, for JSON.stringify (native)
 * to write it many times faster than sortedJson: the value itself when its keys are in order at
 * every level already (most are), else a copy with them sorted. WRITTEN_BY_HAND when no object
 * can keep them in that order (an index key among others) or the value is no JSON.
 */
function canonicalForm(value: unknown): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') return WRITTEN_BY_HAND;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let index = 0; index < value.length; index++) {
      const element: unknown = value[index];
      const form = element === undefined ? null : canonicalForm(element);
      if (form === WRITTEN_BY_HAND) return WRITTEN_BY_HAND;
      if (form !== element && !copy) copy = value.slice(0, index) as unknown[];
      copy?.push(form);
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  const prototype = Object.getPrototypeOf(value) as unknown;
  // JSON.stringify would call a class's toJSON, which canonical JSON does not
  let unchanged = prototype === Object.prototype || prototype === null;
  let keysInOrder = true;
  const forms: unknown[] = [];
  for (let index = 0; index < keys.length; index++) {
    if (index > 0 && keys[index - 1] > keys[index]) keysInOrder = false;
    const field = record[keys[index]];
    const form = field === undefined ? undefined : canonicalForm(field);
    if (form === WRITTEN_BY_HAND) return WRITTEN_BY_HAND;
    if (form !== field) unchanged = false;
    forms.push(form);
  }
  if (unchanged && keysInOrder) return value;
  // An object lists index keys first, and sets its prototype for a `__proto__` key.
  if (keys.some((key) => key === '__proto__' || (!keysInOrder && INDEX_KEY.test(key)))) {
    return WRITTEN_BY_HAND;
  }
  const order = keys.map((_, index) => index);
  if (!keysInOrder) order.sort((a, b) => (keys[a] < keys[b] ? -1 : 1));
  const copy: Record<string, unknown> = {};
  for (const index of order) copy[keys[index]] = forms[index];
  return copy;
}

function stringified(form: unknown, value: unknown): string {
  const text = JSON.stringify(form);
  if (text === undefined) throw new TypeError(`Not a JSON value: ${String(value)}`);
  return text;
}

/** canonicalJson written field by field, for what canonicalForm cannot give. */
function sortedJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return stringified(value, value);
  if (Array.isArray(value)) {
    let text = '[';
    for (let index = 0; index < value.length; index++) {
      if (index > 0) text += ',';
      text += value[index] === undefined ? 'null' : canonicalJson(value[index]);
    }
    return `${text}]`;
  }
  const record = value as Record<string, unknown>;
  let text = '{';
  for (const key of Object.keys(record).sort()) {
    const field = record[key];
    if (field === undefined) continue;
    if (text.length > 1) text += ',';
    text += `${JSON.stringify(key)}:${canonicalJson(field)}`;
  }
  return `${text}}`;
}

/**
 * The content's fields in canonical (sorted) order: JSON.stringify writes them so. The compiler
 * checks that every field of AuditEntryContent is here, so a new field is hashed as soon as it
 * exists (or this fails to compile); a unit test checks the order.
 */
export function contentInCanonicalOrder(content: AuditEntryContent) {
  return {
    actorApiKeyId: content.actorApiKeyId,
    actorSystemId: content.actorSystemId,
    actorType: content.actorType,
    actorUserId: content.actorUserId,
    attributes: content.attributes,
    cause: content.cause,
    correlationId: content.correlationId,
    createdAt: content.createdAt,
    eventType: content.eventType,
    id: content.id,
    ip: content.ip,
    orgId: content.orgId,
    position: content.position,
    previousHash: content.previousHash,
    requestId: content.requestId,
    resourceId: content.resourceId,
    resourceType: content.resourceType,
    sequence: content.sequence,
    targets: content.targets,
    userAgent: content.userAgent,
  } satisfies Record<keyof AuditEntryContent, unknown>;
}

/**
 * `sha256hex(previousHash + canonicalJson(content))`; the content includes previousHash too. An
 * entry may be passed as it is: its `hash` is not part of the content.
 */
export function entryHash(content: AuditEntryContent): string {
  return hash(
    'sha256',
    content.previousHash + canonicalJson(contentInCanonicalOrder(content)),
    'hex',
  );
}

type BrokenEntry = NonNullable<AuditChainVerification['firstBrokenEntry']>;

/**
 * Walks one organization's chain in sequence order, page after page, and stops at the first entry
 * that does not hold: a gap in the sequence (a row deleted), a hash its content no longer gives
 * (the entry edited), or a link to something other than its predecessor's hash (the entry, or its
 * predecessor, rewritten with a hash to match). Only the last entry seen is kept between pages.
 */
export class ChainVerification {
  private expectedSequence: number;
  private previousHash: string;
  private checked = 0;
  private broken: BrokenEntry | null = null;

  /** `predecessor`: the nearest entry before the range (GENESIS at sequence 0 when none is). */
  constructor(predecessor: ChainLink) {
    this.expectedSequence = predecessor.sequence + 1;
    this.previousHash = predecessor.hash;
  }

  get done(): boolean {
    return this.broken !== null;
  }

  /** The next entries in sequence order; false once a broken one was found. */
  check(entries: readonly AuditEntry[]): boolean {
    for (const entry of entries) {
      if (this.broken) return false;
      this.checked += 1;
      this.broken = this.breakIn(entry);
      if (this.broken) return false;
      this.expectedSequence = entry.sequence + 1;
      this.previousHash = entry.hash;
    }
    return !this.broken;
  }

  /**
   * The range ran out of rows before its last sequence: the entries from `nextSequence` on were
   * deleted. `resumesAt` names where the chain picks up again: the first entry past the range
   * (its stored previousHash), or the organization's recorded head when nothing is left after it.
   */
  missingTail(resumesAt: { id: string; sequence: number; storedHash: string }): void {
    if (this.broken) return;
    this.broken = {
      id: resumesAt.id,
      sequence: resumesAt.sequence,
      reason: 'sequence_gap',
      expectedHash: this.previousHash,
      storedHash: resumesAt.storedHash,
    };
  }

  /** The sequence the next entry should carry: past the range's end means entries are missing. */
  get nextSequence(): number {
    return this.expectedSequence;
  }

  result(range: {
    fromSequence: number | null;
    toSequence: number | null;
  }): AuditChainVerification {
    return {
      valid: this.broken === null,
      checked: this.checked,
      ...range,
      firstBrokenEntry: this.broken,
    };
  }

  private breakIn(entry: AuditEntry): BrokenEntry | null {
    const found = (reason: BrokenEntry['reason'], expectedHash: string, storedHash: string) => ({
      id: entry.id,
      sequence: entry.sequence,
      reason,
      expectedHash,
      storedHash,
    });
    if (entry.sequence !== this.expectedSequence) {
      return found('sequence_gap', this.previousHash, entry.previousHash);
    }
    const recomputed = entryHash(entry);
    if (recomputed !== entry.hash) return found('hash_mismatch', recomputed, entry.hash);
    if (entry.previousHash !== this.previousHash) {
      return found('link_mismatch', this.previousHash, entry.previousHash);
    }
    return null;
  }
}
