import { z } from 'zod';
import { pageRequestShape, queryBoolean } from '../common/page';
import { transportSealedValueSchema } from './transport-seal';

export const SECRET_CATEGORIES = ['provider', 'tool', 'custom'] as const;
export type SecretCategory = (typeof SECRET_CATEGORIES)[number];

/** Where the platform may use a secret at run time (`all`: anywhere). */
export const SECRET_SCOPES = ['all', 'agents', 'tools', 'sandboxes'] as const;
export type SecretScope = (typeof SECRET_SCOPES)[number];

/** What a resolving service runs: a secret resolves for it when its scope is `all` or this. */
export const SECRET_USAGES = ['agents', 'tools', 'sandboxes'] as const;
export type SecretUsage = (typeof SECRET_USAGES)[number];

export const SECRET_VALUE_MAX_BYTES = 64 * 1024;
/** Each write is a version; older ones than the last ten are destroyed. */
export const SECRET_VERSIONS_KEPT = 10;

/** Checked in the domain once normalized (normalizeSecretName); here only bounded. */
const name = z.string().max(1000);
const orgWide = queryBoolean.optional();

/** 1 byte to 64 KiB of UTF-8. */
export const secretValueSchema = z
  .string()
  .min(1, 'The value must not be empty')
  .refine((value) => Buffer.byteLength(value, 'utf8') <= SECRET_VALUE_MAX_BYTES, {
    message: `The value must be at most ${SECRET_VALUE_MAX_BYTES} bytes`,
  });

const settingsShape = {
  /** default `all` on creation; kept on rotation when absent */
  scope: z.enum(SECRET_SCOPES).optional(),
  /** default `provider` on creation; kept on rotation when absent */
  category: z.enum(SECRET_CATEGORIES).optional(),
  description: z.string().max(1000).nullable().optional(),
  /** the org-shared secret (Admins only), not the caller's own */
  orgWide: z.boolean().optional(),
};

/** `POST /v1/secrets`: what the client sends (create, or rotate when the name exists). */
export const setSecretBodySchema = z.strictObject({
  name,
  value: secretValueSchema,
  ...settingsShape,
});
export type SetSecretBody = z.infer<typeof setSecretBodySchema>;

/** `secrets-vault.v1.setSecret`: the gateway has sealed the value to the vault's transport key. */
export const setSecretRequestSchema = z.strictObject({
  name,
  sealedValue: transportSealedValueSchema,
  ...settingsShape,
});
export type SetSecretRequest = z.infer<typeof setSecretRequestSchema>;

/** One secret: the caller's own by name, or with `orgWide` the organization's. */
const secretRefShape = { name, orgWide };
export const secretRefSchema = z.strictObject(secretRefShape);
export type SecretRef = z.infer<typeof secretRefSchema>;

/** What the client adds to a secret's path (`/v1/secrets/{name}…`) in a body or a query. */
export const secretTargetSchema = z.strictObject({ orgWide });
export const secretPageQuerySchema = z.strictObject({ orgWide, ...pageRequestShape });

export const listSecretsRequestSchema = z.strictObject({
  ...pageRequestShape,
  /** Admins only: every member's private secrets too (metadata only, as always) */
  all: queryBoolean.optional(),
  userOnly: queryBoolean.optional(),
  orgOnly: queryBoolean.optional(),
  /** only secrets of this category (the CLI's `secret list --category`) */
  category: z.enum(SECRET_CATEGORIES).optional(),
  /** only secrets of this scope, exactly (`tools` leaves out the ones scoped `all`) */
  scope: z.enum(SECRET_SCOPES).optional(),
  /** the soft-deleted ones instead (to undelete or destroy) */
  deleted: queryBoolean.optional(),
});
export type ListSecretsRequest = z.infer<typeof listSecretsRequestSchema>;

/** `POST /v1/secrets/{name}/reveal`: what the client sends. */
export const revealSecretBodySchema = z.strictObject({
  orgWide: z.boolean().optional(),
  /** one of the kept versions; default the current one */
  version: z.number().int().positive().optional(),
});
export const revealSecretRequestSchema = revealSecretBodySchema.extend({ name });
export type RevealSecretRequest = z.infer<typeof revealSecretRequestSchema>;

/** Versions and the access log of one secret, newest first. */
export const secretPageRequestSchema = secretPageQuerySchema.extend({ name });
export type SecretPageRequest = z.infer<typeof secretPageRequestSchema>;

/**
 * `secrets-vault.v1.resolveSecret`, for platform services only (never through the gateway): the
 * value a run of `usage` should use for `userId` in the organization. The user's own secret wins
 * over the org-shared one. The calling service names itself in MESSAGE_HEADERS.serviceCredential.
 */
export const resolveSecretRequestSchema = z.strictObject({
  organizationId: z.uuid(),
  userId: z.uuid(),
  name,
  usage: z.enum(SECRET_USAGES),
});
export type ResolveSecretRequest = z.infer<typeof resolveSecretRequestSchema>;

export const getTransportKeyRequestSchema = z.strictObject({});

export const SECRET_STATUSES = ['active', 'deleted'] as const;
export type SecretStatus = (typeof SECRET_STATUSES)[number];

/** A secret's metadata: never its value. */
export interface SecretView {
  id: string;
  name: string;
  orgWide: boolean;
  /** null for an org-shared secret */
  ownerUserId: string | null;
  category: (typeof SECRET_CATEGORIES)[number];
  scope: SecretScope;
  description: string | null;
  /** the current version */
  version: number;
  status: SecretStatus;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  deletedAt: string | null;
}

export interface SecretVersionView {
  version: number;
  createdAt: string;
  createdBy: string;
  current: boolean;
}

/** Reply of a reveal: the one HTTP answer that holds a value. */
export interface RevealedSecretView {
  id: string;
  name: string;
  orgWide: boolean;
  version: number;
  value: string;
}

/** Reply of a resolution: which secret won, and its value. */
export interface ResolvedSecretView {
  secretId: string;
  name: string;
  source: 'user' | 'organization';
  version: number;
  value: string;
}

export interface SecretDestroyedView {
  id: string;
  name: string;
  destroyed: true;
}

/** One reveal or resolution of a secret, as its access log shows it. */
export interface SecretAccessView {
  eventId: string;
  kind: 'revealed' | 'resolved';
  version: number;
  at: string;
  /** who saw it (reveal), or for whom a service used it (resolution) */
  userId: string;
  /** the API key a reveal came through, if any */
  apiKeyId: string | null;
  /** the resolving service */
  resolver: string | null;
  requestId: string | null;
}
