import type { PageInfo, PageRequest } from '@orgplane/contracts';
import { ServiceError } from '@orgplane/util';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { z } from 'zod';

/** Where a page ends in its list's order: a time (or a name), and an id that breaks ties. */
type Keyset = { at: Date; id: string } | { name: string; id: string };

/** How a list is ordered: by a time column (the default) or a text column, oldest/first first. */
export interface KeysetOrder {
  by?: 'time' | 'name';
  descending?: boolean;
}

/** Milliseconds since 1970 up to the last time a Date can hold, all of which PostgreSQL stores. */
const timeCursorSchema = z.strictObject({
  at: z.number().int().min(0).max(8.64e15),
  id: z.uuid(),
});
const nameCursorSchema = z.strictObject({ name: z.string().max(1000), id: z.uuid() });

/** The cursor is the last item's sort key, base64url JSON: opaque to clients, stateless here. */
function encodeCursor(keyset: Keyset): string {
  const json = 'at' in keyset ? { at: keyset.at.getTime(), id: keyset.id } : keyset;
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}

/**
 * A cursor this service did not issue, or one of a list ordered otherwise, is the client's
 * mistake: a 400 on `cursor`. Returns the sort key's value and the id.
 */
function decodeCursor(cursor: string, by: 'time' | 'name'): { after: Date | string; id: string } {
  const json = parseJson(Buffer.from(cursor, 'base64url').toString());
  if (by === 'time') {
    const parsed = timeCursorSchema.safeParse(json);
    if (parsed.success) return { after: new Date(parsed.data.at), id: parsed.data.id };
  } else {
    const parsed = nameCursorSchema.safeParse(json);
    if (parsed.success) return { after: parsed.data.name, id: parsed.data.id };
  }
  throw ServiceError.validation({ cursor: ['Not a cursor this list gave out'] });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Orders the query by (`keyColumn`, `idColumn`) and keeps the rows after the cursor: keyset
 * pagination, so a page costs the same however deep it is, and rows added or removed meanwhile
 * do not shift the pages (nothing is listed twice). Fetches one row more than the page holds, to
 * tell whether another follows.
 */
export function keysetPage<Entity extends ObjectLiteral>(
  query: SelectQueryBuilder<Entity>,
  [keyColumn, idColumn]: readonly [string, string],
  { limit, cursor }: PageRequest,
  { by = 'time', descending = false }: KeysetOrder = {},
): SelectQueryBuilder<Entity> {
  const direction = descending ? 'DESC' : 'ASC';
  if (cursor !== undefined) {
    const { after, id } = decodeCursor(cursor, by);
    query.andWhere(`(${keyColumn}, ${idColumn}) ${descending ? '<' : '>'} (:afterKey, :afterId)`, {
      afterKey: after,
      afterId: id,
    });
  }
  return query
    .orderBy(keyColumn, direction)
    .addOrderBy(idColumn, direction)
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
