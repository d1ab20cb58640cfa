import { z } from 'zod';
import { pageRequestShape, queryBoolean } from '../common/page';
import { SCOPES, scopeSchema, type Scope } from '../common/scopes';

/**
 * Payloads of the keys subjects. The caller (message header) is the acting user, or an API key
 * acting for its owner; its `organizationId` is the organization the key or session acts in.
 * Only shapes are checked here; the rules are the domain's.
 */
const name = z.string().max(1000);
const projectId = z.uuid().nullable();
const listFilters = {
  ...pageRequestShape,
  /** Admins only (the gateway checks): every member's keys, not only the caller's */
  all: queryBoolean.optional(),
  projectId: z.uuid().optional(),
};

/** `30d`, `12w`, `6m` (30-day months), `1y`; at most 10 years. */
export const EXPIRES_IN_PATTERN = /^([1-9]\d{0,3})([dwmy])$/;

export const createApiKeyRequestSchema = z.strictObject({
  name,
  /** empty or absent means `["*"]` */
  scopes: z.array(scopeSchema).max(SCOPES.length).optional(),
  /** null or absent: the key does not expire */
  expiresIn: z
    .string()
    .regex(EXPIRES_IN_PATTERN, 'Expected a duration such as 30d, 12w, 6m or 1y')
    .nullable()
    .optional(),
  isTest: z.boolean().optional(),
  projectId: projectId.optional(),
});
export type CreateApiKeyRequest = z.infer<typeof createApiKeyRequestSchema>;

export const listApiKeysRequestSchema = z.strictObject(listFilters);
export type ListApiKeysRequest = z.infer<typeof listApiKeysRequestSchema>;

const keyIdField = { keyId: z.uuid() };

export const getApiKeyRequestSchema = z.strictObject(keyIdField);
export type GetApiKeyRequest = z.infer<typeof getApiKeyRequestSchema>;

/** `PATCH /v1/api-keys/{id}`: what the client sends. */
export const updateApiKeyBodySchema = z.strictObject({
  name: name.optional(),
  scopes: z.array(scopeSchema).max(SCOPES.length).optional(),
  projectId: projectId.optional(),
});
export const updateApiKeyRequestSchema = updateApiKeyBodySchema.extend(keyIdField);
export type UpdateApiKeyRequest = z.infer<typeof updateApiKeyRequestSchema>;

export const revokeApiKeyRequestSchema = z.strictObject(keyIdField);
export type RevokeApiKeyRequest = z.infer<typeof revokeApiKeyRequestSchema>;

export const API_KEY_ROTATION_GRACE_SECONDS = { max: 24 * 3600, default: 0 } as const;

/** `POST /v1/api-keys/{id}/rotate`: what the client sends. */
export const rotateApiKeyBodySchema = z.strictObject({
  /** how long the old secret keeps working, 0 to 86400 seconds (24 h); default 0 */
  gracePeriodSeconds: z.number().int().min(0).max(API_KEY_ROTATION_GRACE_SECONDS.max).optional(),
});
export const rotateApiKeyRequestSchema = rotateApiKeyBodySchema.extend(keyIdField);
export type RotateApiKeyRequest = z.infer<typeof rotateApiKeyRequestSchema>;

/** For the gateway: the key whose hash this is, if it is one the gateway may accept. */
export const resolveApiKeyRequestSchema = z.strictObject({
  keyHash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ResolveApiKeyRequest = z.infer<typeof resolveApiKeyRequestSchema>;

export const addSshKeyRequestSchema = z.strictObject({
  name,
  /** an OpenSSH public key line (`ssh-ed25519 AAAA… comment`), as in authorized_keys */
  publicKey: z.string().max(16_384),
  projectId: projectId.optional(),
});
export type AddSshKeyRequest = z.infer<typeof addSshKeyRequestSchema>;

export const listSshKeysRequestSchema = z.strictObject(listFilters);
export type ListSshKeysRequest = z.infer<typeof listSshKeysRequestSchema>;

const sshKeyIdField = { sshKeyId: z.uuid() };
export const getSshKeyRequestSchema = z.strictObject(sshKeyIdField);
export type GetSshKeyRequest = z.infer<typeof getSshKeyRequestSchema>;
export const deleteSshKeyRequestSchema = z.strictObject(sshKeyIdField);
export type DeleteSshKeyRequest = z.infer<typeof deleteSshKeyRequestSchema>;

export const API_KEY_STATUSES = ['active', 'expired', 'revoked'] as const;
export type ApiKeyStatus = (typeof API_KEY_STATUSES)[number];

/** An API key's metadata (reference §7.3); never the key itself. */
export interface ApiKeyView {
  id: string;
  name: string;
  keyPrefix: string;
  scopes: Scope[];
  projectId: string | null;
  isTest: boolean;
  expiresAt: string | null;
  /** to the minute */
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
  status: ApiKeyStatus;
  ownerUserId: string;
  ownerDisplayName: string | null;
  ownerEmail: string | null;
}

/** The create and rotate replies: the only time the key is shown. */
export interface ApiKeyWithSecretView extends ApiKeyView {
  key: string;
}

/** The create reply's top-level `message`, next to `data`, as the reference shows it. */
export const STORE_KEY_MESSAGE =
  'Store this key securely now: it is shown only once and cannot be retrieved again.';

/**
 * Reply of `keys.v1.resolveApiKey`: what the gateway needs to authenticate a key, cached there.
 * `validUntil` is when this secret stops working by itself (expiry, or the end of a rotation's
 * grace period); null when it does not.
 */
export interface ApiKeyAuthView {
  keyId: string;
  organizationId: string;
  ownerUserId: string;
  scopes: Scope[];
  validUntil: string | null;
}

export interface SshKeyView {
  id: string;
  name: string;
  publicKey: string;
  keyType: string;
  fingerprint: string;
  bits: number;
  comment: string | null;
  projectId: string | null;
  ownerUserId: string;
  createdAt: string;
}

export interface SshKeyDeletedView {
  id: string;
  deleted: true;
}

/**
 * Published (no queue group) after a write that changes which secrets authenticate: every
 * gateway instance forgets these key hashes (revocation, rotation, settings change).
 */
export const apiKeysChangedMessageSchema = z.strictObject({
  keyHashes: z.array(z.string().regex(/^[0-9a-f]{64}$/)).min(1),
});
export type ApiKeysChangedMessage = z.infer<typeof apiKeysChangedMessageSchema>;

/**
 * Published by gateways at most once per key and minute: the keys service records `lastUsedAt`
 * to the minute without an event per use.
 */
export const apiKeysUsedMessageSchema = z.strictObject({
  keyIds: z.array(z.uuid()).min(1).max(10_000),
  usedAt: z.iso.datetime(),
});
export type ApiKeysUsedMessage = z.infer<typeof apiKeysUsedMessageSchema>;
