import { z } from 'zod';
import { scopeSchema } from '../common/scopes';
import { defineEventCatalog, type EventOf } from '../events';
import { departureCauseSchema, type DepartureCause } from '../membership/departure';

/** Stream of one API key: `api-key-<keyId>`. */
export function apiKeyStreamName(keyId: string): string {
  return `api-key-${keyId}`;
}

/**
 * Stream of one SSH key in one organization: `ssh-key-<sshKeyId>`, where the id is name-based on
 * (organization, fingerprint): adding the same key twice meets the first on its stream (409).
 */
export function sshKeyStreamName(sshKeyId: string): string {
  return `ssh-key-${sshKeyId}`;
}

const at = z.iso.datetime();
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const keyPrefix = z.string().regex(/^rt_(live|test)_[0-9A-Za-z]{4}$/);

/** Why a key stopped working without its owner asking: the departure that caused it. */
export const revocationCauseSchema = departureCauseSchema;
export type RevocationCause = DepartureCause;

const keyEventDefinitions = {
  /** Only the hash of the key is kept; the key itself is in the create reply and nowhere else. */
  ApiKeyCreated: {
    schemaVersion: 1,
    data: z.strictObject({
      keyId: z.uuid(),
      organizationId: z.uuid(),
      ownerUserId: z.uuid(),
      name: z.string().min(1).max(100),
      keyPrefix,
      keyHash: sha256Hex,
      scopes: z.array(scopeSchema).min(1),
      projectId: z.uuid().nullable(),
      isTest: z.boolean(),
      expiresAt: at.nullable(),
      createdAt: at,
    }),
  },
  /**
   * Carries the whole new settings: `projectId` is the key's project as its stream knows it, which
   * may have been deleted since (readers then take the default project that replaced it).
   */
  ApiKeyUpdated: {
    schemaVersion: 1,
    data: z.strictObject({
      keyId: z.uuid(),
      name: z.string().min(1).max(100),
      scopes: z.array(scopeSchema).min(1),
      projectId: z.uuid().nullable(),
      updatedBy: z.uuid(),
      updatedAt: at,
    }),
  },
  /** a new secret; the previous one keeps working until `previousValidUntil` (the grace period) */
  ApiKeyRotated: {
    schemaVersion: 1,
    data: z.strictObject({
      keyId: z.uuid(),
      keyPrefix,
      keyHash: sha256Hex,
      previousKeyHash: sha256Hex,
      previousValidUntil: at,
      rotatedBy: z.uuid(),
      rotatedAt: at,
    }),
  },
  ApiKeyRevoked: {
    schemaVersion: 1,
    data: z.strictObject({
      keyId: z.uuid(),
      /** null when a reaction revoked it; `cause` says to what */
      revokedBy: z.uuid().nullable(),
      cause: revocationCauseSchema.nullable(),
      revokedAt: at,
    }),
  },
  SshKeyAdded: {
    schemaVersion: 1,
    data: z.strictObject({
      sshKeyId: z.uuid(),
      organizationId: z.uuid(),
      ownerUserId: z.uuid(),
      name: z.string().min(1).max(100),
      /** `<type> <base64>`, without options or comment */
      publicKey: z.string().min(1),
      keyType: z.string().min(1),
      /** `SHA256:` + unpadded base64, as `ssh-keygen -lf` prints it */
      fingerprint: z.string().startsWith('SHA256:'),
      bits: z.number().int().positive(),
      comment: z.string().max(1000).nullable(),
      projectId: z.uuid().nullable(),
      addedAt: at,
    }),
  },
  SshKeyDeleted: {
    schemaVersion: 1,
    data: z.strictObject({
      sshKeyId: z.uuid(),
      deletedBy: z.uuid().nullable(),
      cause: revocationCauseSchema.nullable(),
      deletedAt: at,
    }),
  },
};

export const keyEvents = defineEventCatalog(keyEventDefinitions);
export type KeyEvent = EventOf<typeof keyEventDefinitions>;
