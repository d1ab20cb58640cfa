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
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`Not a JSON value: ${String(value)}`);
    return text;
  }
  // Loops and concatenation rather than map/filter/join: the projection hashes every entry it
  // writes, and this is most of that work.
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
  for (const key of sortedKeys(record)) {
    const field = record[key];
    if (field === undefined) continue;
    if (text.length > 1) text += ',';
    text += `${JSON.stringify(key)}:${canonicalJson(field)}`;
  }
  return `${text}}`;
}

/** Most objects here are built with their keys in order already: only the others are sorted. */
function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  for (let index = 1; index < keys.length; index++) {
    if (keys[index - 1] > keys[index]) return keys.sort();
  }
  return keys;
}

/**
 * The content's fields in canonical order. The compiler checks the list against the type, so a
 * new field of AuditEntry is hashed as soon as it exists (or this fails to compile).
 */
const CONTENT_FIELDS = Object.keys({
  id: true,
  orgId: true,
  sequence: true,
  eventType: true,
  actorType: true,
  actorUserId: true,
  actorApiKeyId: true,
  actorSystemId: true,
  resourceType: true,
  resourceId: true,
  targets: true,
  attributes: true,
  cause: true,
  requestId: true,
  correlationId: true,
  ip: true,
  userAgent: true,
  createdAt: true,
  position: true,
  previousHash: true,
} satisfies Record<keyof AuditEntryContent, true>)
  .sort()
  .map((key) => ({ key, prefix: `${JSON.stringify(key)}:` }));

/**
 * `sha256hex(previousHash + canonicalJson(content))`; the content includes previousHash too. An
 * entry may be passed as it is: its `hash` is not part of the content. The content's own keys are
 * known, so they are not sorted anew for every entry: the text is canonicalJson's all the same.
 */
export function entryHash(content: AuditEntryContent): string {
  const record = content as unknown as Record<string, unknown>;
  let text = '{';
  for (const { key, prefix } of CONTENT_FIELDS) {
    const field = record[key];
    if (field === undefined) continue;
    if (text.length > 1) text += ',';
    text += prefix + canonicalJson(field);
  }
  return hash('sha256', `${content.previousHash}${text}}`, 'hex');
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
