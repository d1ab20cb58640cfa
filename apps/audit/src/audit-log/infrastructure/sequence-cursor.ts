import { ServiceError } from '@orgplane/util';
import { z } from 'zod';

/**
 * Audit pages are keyed by the entry's place in its organization's chain: unique, gapless and in
 * `$all` order, where times may tie or (for late commits) run slightly out of order. The cursor is
 * that sequence, base64url JSON, opaque to clients like every cursor (ADR 0008).
 */
const cursorSchema = z.strictObject({
  sequence: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});

export function encodeSequenceCursor(sequence: number): string {
  return Buffer.from(JSON.stringify({ sequence })).toString('base64url');
}

/** A cursor this service did not issue is the client's mistake: a 400 on `cursor`. */
export function decodeSequenceCursor(cursor: string): number {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    json = undefined;
  }
  const parsed = cursorSchema.safeParse(json);
  if (!parsed.success)
    throw ServiceError.validation({ cursor: ['Not a cursor this list gave out'] });
  return parsed.data.sequence;
}
