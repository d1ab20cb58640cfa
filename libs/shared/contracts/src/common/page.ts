import { z } from 'zod';

export const PAGE_LIMIT = { min: 1, max: 500, default: 50 } as const;

/**
 * `limit` and `cursor` of every list request (query strings arrive as text, hence the coercion).
 * A cursor is opaque to clients: the service that issued it is the only one that reads it.
 */
export const pageRequestShape = {
  limit: z.coerce
    .number()
    .int()
    .min(PAGE_LIMIT.min)
    .max(PAGE_LIMIT.max)
    .default(PAGE_LIMIT.default),
  cursor: z.string().min(1).max(512).optional(),
};
export type PageRequest = z.infer<z.ZodObject<typeof pageRequestShape>>;

/** What a list reply carries besides its items; the gateway puts it in `meta`. */
export interface PageInfo {
  hasMore: boolean;
  /** pass as `cursor` for the next page; null on the last page */
  nextCursor: string | null;
}

/** `true`/`false` as query strings spell them; anything else is a validation error. */
export const queryBoolean = z
  .enum(['true', 'false'])
  .transform((value) => value === 'true')
  .or(z.boolean());
