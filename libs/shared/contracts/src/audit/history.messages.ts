import { z } from 'zod';

/**
 * Payloads of history replay: the organization's state as of a moment, folded from its events
 * with the services' own evolve functions, and the difference between two moments. The caller is
 * an Admin of the organization, or an API key with the `activity:read` scope owned by one.
 */

/** A moment: a time (ISO, with offset), or a position in `$all` (formatPosition). */
export const historyMomentSchema = z.union([
  z.strictObject({ at: z.iso.datetime({ offset: true }) }),
  z.strictObject({ position: z.string().min(1).max(100) }),
]);
export type HistoryMoment = z.infer<typeof historyMomentSchema>;

export const replayOrganizationRequestSchema = z.strictObject({ moment: historyMomentSchema });
export type ReplayOrganizationRequest = z.infer<typeof replayOrganizationRequestSchema>;

export const diffOrganizationRequestSchema = z.strictObject({
  from: historyMomentSchema,
  to: historyMomentSchema,
});
export type DiffOrganizationRequest = z.infer<typeof diffOrganizationRequestSchema>;

/**
 * The organization as of a moment. Field names follow the API's own views of the same things;
 * no secret value, API key secret or hash appears.
 */
export interface OrganizationHistoryState {
  /** the position of the last event folded in, null before the organization existed */
  position: string | null;
  /** the time of that event */
  asOf: string | null;
  /** events folded */
  eventCount: number;
  organization: {
    id: string;
    name: string;
    slug: string;
    status: 'active' | 'deleted';
    settings: Record<string, unknown>;
  } | null;
  members: Array<{ userId: string; role: string; joinedAt: string }>;
  invitations: Array<{
    id: string;
    email: string;
    role: string;
    status: string;
    expiresAt: string | null;
  }>;
  apiKeys: Array<{
    id: string;
    name: string;
    ownerUserId: string;
    scopes: string[];
    projectId: string | null;
    status: string;
    expiresAt: string | null;
  }>;
  sshKeys: Array<{
    id: string;
    name: string;
    ownerUserId: string;
    fingerprint: string;
    projectId: string | null;
  }>;
  secrets: Array<{
    name: string;
    orgWide: boolean;
    ownerUserId: string | null;
    category: string;
    scope: string;
    version: number;
    status: string;
  }>;
  projects: Array<{ id: string; name: string; color: string | null; isDefault: boolean }>;
  workspaces: Array<{ id: string; name: string; isPersonal: boolean; ownerUserId: string | null }>;
  resources: Array<{
    id: string;
    kind: string;
    name: string;
    ownerUserId: string;
    projectId: string | null;
    visibility: string;
  }>;
}

/** Per collection of the state: what was added, removed, or changed (field by field). */
export interface OrganizationHistoryDiff {
  from: { position: string | null; asOf: string | null };
  to: { position: string | null; asOf: string | null };
  organization: Array<{ field: string; from: unknown; to: unknown }>;
  changes: Record<
    Exclude<keyof OrganizationHistoryState, 'position' | 'asOf' | 'eventCount' | 'organization'>,
    {
      added: unknown[];
      removed: unknown[];
      changed: Array<{ key: string; fields: Array<{ field: string; from: unknown; to: unknown }> }>;
    }
  >;
}

/**
 * A moment as a query string gives it: an ISO time (`2026-11-24T12:00:00Z`) or a position in
 * `$all` as `X-Consistency-Position` and audit entries spell it.
 */
const momentText = z.string().min(1).max(100);

/** `GET /v1/history?at=…` or `?position=…`: exactly one of the two. */
export const historyStateQuerySchema = z
  .strictObject({
    at: z.iso.datetime({ offset: true }).optional(),
    position: momentText.optional(),
  })
  .refine((query) => (query.at === undefined) !== (query.position === undefined), {
    message: 'Give exactly one of `at` (an ISO time) or `position`',
  });
export type HistoryStateQuery = z.infer<typeof historyStateQuerySchema>;

/** `GET /v1/history/diff?from=…&to=…`: each an ISO time or a position. */
export const historyDiffQuerySchema = z.strictObject({ from: momentText, to: momentText });
export type HistoryDiffQuery = z.infer<typeof historyDiffQuerySchema>;
