import { z } from 'zod';

/**
 * Payloads of history replay: the organization's state as of a moment, folded from its events
 * with the services' own evolve functions, and the difference between two moments. The caller is
 * an Admin of the organization, or an API key with the `activity:read` scope owned by one.
 */

/** A position in `$all` as replies, headers and audit entries spell it: `<commit>:<prepare>`. */
const POSITION_TEXT = /^\d{1,20}:\d{1,20}$/;
const isoInstant = z.iso.datetime({ offset: true });
const positionText = z
  .string()
  .regex(POSITION_TEXT, 'Expected a position as `<commit>:<prepare>`, as X-Consistency-Position');

/**
 * A moment. As of a time: the organization's events in `$all` order up to the first one recorded
 * after that time. As of a position: its events up to and including that position.
 */
export type HistoryMoment = { at: string } | { position: string };

/** A moment given as one text (the diff's `from` and `to`): a position, or else an ISO time. */
export function parseHistoryMoment(text: string): HistoryMoment | null {
  if (POSITION_TEXT.test(text)) return { position: text };
  if (isoInstant.safeParse(text).success) return { at: text };
  return null;
}

const momentText = z
  .string()
  .min(1)
  .max(100)
  .refine((text) => parseHistoryMoment(text) !== null, {
    message: 'Expected an ISO time with offset (2026-11-24T12:00:00Z) or a position (123:45)',
  });

/** `GET /v1/history?at=…` or `?position=…`: exactly one of the two. */
export const historyStateQuerySchema = z
  .strictObject({ at: isoInstant.optional(), position: positionText.optional() })
  .refine((query) => (query.at === undefined) !== (query.position === undefined), {
    message: 'Give exactly one of `at` (an ISO time) or `position`',
  });
export type HistoryStateQuery = z.infer<typeof historyStateQuerySchema>;

/** `GET /v1/history/diff?from=…&to=…`: each an ISO time or a position. */
export const historyDiffQuerySchema = z.strictObject({ from: momentText, to: momentText });
export type HistoryDiffQuery = z.infer<typeof historyDiffQuerySchema>;

/** `audit.v1.replayOrganization` takes the query as the gateway got it. */
export const replayOrganizationRequestSchema = historyStateQuerySchema;
export type ReplayOrganizationRequest = HistoryStateQuery;

/** `audit.v1.diffOrganization` takes the query as the gateway got it. */
export const diffOrganizationRequestSchema = historyDiffQuerySchema;
export type DiffOrganizationRequest = HistoryDiffQuery;

/**
 * The organization as of a moment. Field names follow the API's own views of the same things;
 * no secret value, API key secret or hash, nor ciphertext appears. Collections are sorted by
 * `id` (members by `userId`).
 */
export interface OrganizationHistoryState {
  /** the position of the last event folded in, null before the organization's first event */
  position: string | null;
  /** the time of that event */
  asOf: string | null;
  /** the organization's events folded (every one counts, reveals included) */
  eventCount: number;
  /** null before the organization was created */
  organization: {
    id: string;
    name: string;
    slug: string;
    plan: string;
    status: 'active' | 'deleted';
    settings: Record<string, unknown>;
    createdAt: string;
  } | null;
  members: Array<{ userId: string; role: string; joinedAt: string }>;
  /** every invitation, with its status as of the moment (pending ones expire with time) */
  invitations: Array<{
    id: string;
    email: string;
    role: string;
    status: string;
    invitedBy: string;
    expiresAt: string;
    acceptedAt: string | null;
    revokedAt: string | null;
  }>;
  apiKeys: Array<{
    id: string;
    name: string;
    keyPrefix: string;
    ownerUserId: string;
    scopes: string[];
    projectId: string | null;
    isTest: boolean;
    status: string;
    expiresAt: string | null;
    revokedAt: string | null;
    createdAt: string;
  }>;
  sshKeys: Array<{
    id: string;
    name: string;
    ownerUserId: string;
    fingerprint: string;
    projectId: string | null;
  }>;
  /** active and soft-deleted secrets; destroyed ones are gone */
  secrets: Array<{
    id: string;
    name: string;
    orgWide: boolean;
    ownerUserId: string | null;
    category: string;
    scope: string;
    description: string | null;
    version: number;
    status: string;
  }>;
  projects: Array<{ id: string; name: string; color: string | null; isDefault: boolean }>;
  workspaces: Array<{
    id: string;
    slug: string;
    name: string;
    isPersonal: boolean;
    ownerUserId: string;
  }>;
  resources: Array<{
    id: string;
    kind: string;
    name: string;
    ownerUserId: string;
    projectId: string;
    visibility: string;
    workspaceIds: string[];
  }>;
}

export type HistoryCollection = Exclude<
  keyof OrganizationHistoryState,
  'position' | 'asOf' | 'eventCount' | 'organization'
>;

export interface HistoryFieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** Per collection of the state: what was added, removed, or changed (field by field). */
export interface OrganizationHistoryDiff {
  from: { position: string | null; asOf: string | null };
  to: { position: string | null; asOf: string | null };
  organization: HistoryFieldChange[];
  changes: Record<
    HistoryCollection,
    {
      added: unknown[];
      removed: unknown[];
      /** `key`: the item's `id` (`userId` for members) */
      changed: Array<{ key: string; fields: HistoryFieldChange[] }>;
    }
  >;
}
