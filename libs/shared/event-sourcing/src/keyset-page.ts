import type { PageInfo, PageRequest } from '@orgplane/contracts';
import { ServiceError } from '@orgplane/util';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { z } from 'zod';

/** Where a page ends in its list's order: a time, and an id that breaks ties. */
interface Keyset {
  at: Date;
  id: string;
}

/** Milliseconds since 1970 up to the last time a Date can hold, all of which PostgreSQL stores. */
const cursorSchema = z.strictObject({ at: z.number().int().min(0).max(8.64e15), id: z.uuid() });

/** The cursor is the last item's sort key, base64url JSON: opaque to clients, stateless here. */
function encodeCursor({ at, id }: Keyset): string {
  return Buffer.from(JSON.stringify({ at: at.getTime(), id })).toString('base64url');
}

/** A cursor this service did not issue is the client's mistake: a 400 on `cursor`. */
function decodeCursor(cursor: string): Keyset {
  const parsed = cursorSchema.safeParse(parseJson(Buffer.from(cursor, 'base64url').toString()));
  if (!parsed.success) {
    throw ServiceError.validation({ cursor: ['Not a cursor this list gave out'] });
  }
  return { at: new Date(parsed.data.at), id: parsed.data.id };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Orders the query by (`atColumn`, `idColumn`) and keeps the rows after the cursor: keyset
 * pagination, so a page costs the same however deep it is, and rows added or removed meanwhile
 * do not shift the pages (nothing is listed twice). Fetches one row more than the page holds, to
 * tell whether another follows.
 */
export function keysetPage<Entity extends ObjectLiteral>(
  query: SelectQueryBuilder<Entity>,
  [atColumn, idColumn]: readonly [string, string],
  { limit, cursor }: PageRequest,
): SelectQueryBuilder<Entity> {
  if (cursor !== undefined) {
    const after = decodeCursor(cursor);
    query.andWhere(`(${atColumn}, ${idColumn}) > (:afterAt, :afterId)`, {
      afterAt: after.at,
      afterId: after.id,
    });
  }
  return query
    .orderBy(atColumn, 'ASC')
    .addOrderBy(idColumn, 'ASC')
    .limit(limit + 1);
}

/** A page of the rows a keysetPage query returned, and where the next one starts. */
export function toPage<Row>(
  rows: Row[],
  { limit }: PageRequest,
  keyOf: (row: Row) => Keyset,
): { rows: Row[]; page: PageInfo } {
  const pageRows = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return {
    rows: pageRows,
    page: { hasMore, nextCursor: hasMore ? encodeCursor(keyOf(pageRows[limit - 1])) : null },
  };
}
