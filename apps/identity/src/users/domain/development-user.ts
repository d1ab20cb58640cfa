import { createHash } from 'node:crypto';

/** Emails compare case-insensitively; the development provider stores them lowercased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The development provider derives a user's id from their email (a name-based UUID, version 8),
 * so every instance signing in the same new email at the same moment writes to the same stream
 * instead of creating two users.
 */
export function developmentUserId(email: string): string {
  const bytes = createHash('sha256')
    .update(`orgplane:development-user:${normalizeEmail(email)}`)
    .digest();
  bytes[6] = (bytes[6] & 0x0f) | 0x80; // version 8
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
