import type { Position } from './event-store.port';

export const START: Position = { commit: 0n, prepare: 0n };

export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

export function maxPosition(a: Position, b: Position): Position {
  return comparePositions(a, b) >= 0 ? a : b;
}

/** `<commit>:<prepare>`: the form positions take in replies, headers and checkpoint rows. */
export function formatPosition(position: Position): string {
  return `${position.commit}:${position.prepare}`;
}

const POSITION_PATTERN = /^(\d{1,20}):(\d{1,20})$/;

export function parsePosition(text: string): Position | null {
  const match = POSITION_PATTERN.exec(text);
  if (!match) return null;
  return { commit: BigInt(match[1]), prepare: BigInt(match[2]) };
}
