import { createHash, randomUUID } from 'node:crypto';
import type { AuditEntry } from '@orgplane/contracts';
import {
  chainEntries,
  describeEvents,
  type AuditableEvent,
} from '../src/audit-log/domain/audit-entry';
import {
  canonicalJson,
  ChainVerification,
  contentInCanonicalOrder,
  entryHash,
  GENESIS_HASH,
  type AuditEntryContent,
} from '../src/audit-log/domain/hash-chain';

const orgId = randomUUID();

/** A chain of `count` entries of one organization, as the projection computes it. */
function chainOf(count: number): AuditEntry[] {
  const events: AuditableEvent[] = Array.from({ length: count }, (_, index) => ({
    id: randomUUID(),
    type: 'ProjectUpdated',
    data: { projectId: randomUUID(), name: `Project ${index}`, color: null },
    metadata: {
      orgId,
      actor: { type: 'user', id: randomUUID() },
      requestId: `req_${index}`,
      correlationId: `req_${index}`,
      causationId: `req_${index}`,
    },
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, index)),
    position: `${index + 10}:0`,
  }));
  return chainEntries(describeEvents(events), new Map(), new Map()).entries;
}

function verify(entries: AuditEntry[], from = 1) {
  const predecessor = from === 1 ? { sequence: 0, hash: GENESIS_HASH } : entries[from - 2];
  const verification = new ChainVerification(predecessor);
  // in pages, as the query walks it
  for (let start = from - 1; start < entries.length; start += 3) {
    if (!verification.check(entries.slice(start, start + 3))) break;
  }
  return verification.result({ fromSequence: from, toSequence: entries.length });
}

const rehashed = (entry: AuditEntry): AuditEntry => ({ ...entry, hash: entryHash(entry) });

describe('canonical JSON', () => {
  it('is one text per value, whatever the order its keys were built in', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: null, e: 'x' }], c: true } })).toBe(
      '{"a":{"c":true,"d":[2,{"e":"x","f":null}]},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson('é"\n')).toBe(JSON.stringify('é"\n'));
  });

  it('sorts keys JSON.stringify cannot keep in order: index keys, `__proto__`', () => {
    expect(canonicalJson({ b: 1, 10: 'ten', 9: 'nine' })).toBe('{"10":"ten","9":"nine","b":1}');
    expect(canonicalJson(JSON.parse('{"z":1,"__proto__":{"y":2,"x":1}}'))).toBe(
      '{"__proto__":{"x":1,"y":2},"z":1}',
    );
    expect(canonicalJson([undefined, { b: [{ d: 1, c: 2 }], a: null }])).toBe(
      '[null,{"a":null,"b":[{"c":2,"d":1}]}]',
    );
  });

  it('writes objects by their own keys, without calling toJSON, and refuses what is no JSON', () => {
    expect(canonicalJson({ at: new Date(0) })).toBe('{"at":{}}');
    expect(() => canonicalJson({ a: () => 1 })).toThrow(TypeError);
    expect(() => canonicalJson([Symbol('s')])).toThrow(TypeError);
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });

  it("lists an entry's content fields in canonical order", () => {
    const keys = Object.keys(contentInCanonicalOrder(chainOf(1)[0]));
    expect(keys).toEqual([...keys].sort());
    expect(keys).not.toContain('hash');
  });
});

describe('the hash chain', () => {
  it('links each entry to the one before, from the genesis hash', () => {
    const entries = chainOf(3);
    expect(entries.map((entry) => entry.sequence)).toEqual([1, 2, 3]);
    expect(entries[0].previousHash).toBe(GENESIS_HASH);
    expect(entries[1].previousHash).toBe(entries[0].hash);
    const { hash, ...content } = entries[2];
    expect(hash).toBe(
      createHash('sha256')
        .update(content.previousHash + canonicalJson(content satisfies AuditEntryContent))
        .digest('hex'),
    );
  });

  it('verifies untouched entries, page after page, and from the middle of the chain', () => {
    const entries = chainOf(10);
    expect(verify(entries)).toEqual({
      valid: true,
      checked: 10,
      fromSequence: 1,
      toSequence: 10,
      firstBrokenEntry: null,
    });
    expect(verify(entries, 5)).toMatchObject({ valid: true, checked: 6 });
  });

  it('names an edited entry: hash_mismatch', () => {
    const entries = chainOf(6);
    const edited = { ...entries[3], attributes: { ...entries[3].attributes, name: 'Forged' } };
    const result = verify([...entries.slice(0, 3), edited, ...entries.slice(4)]);
    expect(result).toMatchObject({
      valid: false,
      checked: 4,
      firstBrokenEntry: {
        id: edited.id,
        sequence: 4,
        reason: 'hash_mismatch',
        expectedHash: entryHash(edited),
        storedHash: entries[3].hash,
      },
    });
  });

  it('names the entry after one rewritten with a matching hash: link_mismatch', () => {
    const entries = chainOf(6);
    const forged = rehashed({ ...entries[2], actorUserId: randomUUID() });
    const result = verify([...entries.slice(0, 2), forged, ...entries.slice(3)]);
    expect(result.firstBrokenEntry).toEqual({
      id: entries[3].id,
      sequence: 4,
      reason: 'link_mismatch',
      expectedHash: forged.hash,
      storedHash: entries[3].previousHash,
    });
  });

  it('names a relinked entry whose previousHash no longer points at its predecessor: link_mismatch', () => {
    const entries = chainOf(4);
    const relinked = rehashed({ ...entries[1], previousHash: GENESIS_HASH });
    expect(verify([entries[0], relinked, ...entries.slice(2)]).firstBrokenEntry).toMatchObject({
      id: relinked.id,
      reason: 'link_mismatch',
      expectedHash: entries[0].hash,
      storedHash: GENESIS_HASH,
    });
  });

  it('names the entry after a deleted one: sequence_gap', () => {
    const entries = chainOf(6);
    const result = verify([...entries.slice(0, 2), ...entries.slice(3)]);
    expect(result.firstBrokenEntry).toEqual({
      id: entries[3].id,
      sequence: 4,
      reason: 'sequence_gap',
      expectedHash: entries[1].hash,
      storedHash: entries[3].previousHash,
    });
  });

  it('reports entries deleted at the end of a range where the chain resumes', () => {
    const entries = chainOf(5);
    const verification = new ChainVerification({ sequence: 0, hash: GENESIS_HASH });
    verification.check(entries.slice(0, 3));
    expect(verification.nextSequence).toBe(4);
    verification.missingTail({
      id: entries[4].id,
      sequence: 5,
      storedHash: entries[4].previousHash,
    });
    expect(verification.result({ fromSequence: 1, toSequence: 4 })).toMatchObject({
      valid: false,
      checked: 3,
      firstBrokenEntry: { id: entries[4].id, sequence: 5, reason: 'sequence_gap' },
    });
  });
});
