import { createHash, randomBytes, randomUUID } from 'node:crypto';

export function newId(): string {
  return randomUUID();
}

/**
 * A name-based UUID (version 8, SHA-256 of `orgplane:<namespace>:<name>`): the same name always
 * gives the same id, so concurrent first writers of one entity meet on one stream instead of
 * creating two.
 */
export function nameBasedUuid(namespace: string, name: string): string {
  const bytes = createHash('sha256').update(`orgplane:${namespace}:${name}`).digest();
  bytes[6] = (bytes[6] & 0x0f) | 0x80; // version 8
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `req_` + 20 random base32 characters, as request ids appear in the RunTools envelope. */
export function newRequestId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = randomBytes(20);
  let id = 'req_';
  for (const byte of bytes) id += alphabet[byte & 31];
  return id;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
