import { z } from 'zod';
import { defineEventCatalog, type EventOf } from '../events';
import { departureCauseSchema } from '../membership/departure';
import { SECRET_CATEGORIES, SECRET_SCOPES } from './secret.messages';

/**
 * Stream of one secret: `secret-<secretId>`, where the id is name-based on (organization, owner or
 * the organization itself, name), so a write meets the existing secret of that name on its stream.
 * A destroyed secret's name can be used again: the stream continues with a new `SecretCreated`.
 */
export function secretStreamName(secretId: string): string {
  return `secret-${secretId}`;
}

/**
 * Reveals and resolutions of one secret: `secret-access-<secretId>`. Kept apart from the secret's
 * own stream so that reading a secret never folds its whole access history, and recording a
 * reveal never conflicts with a write.
 */
export function secretAccessStreamName(secretId: string): string {
  return `secret-access-${secretId}`;
}

/** The organization's data key: its creation, rewrapping and destruction (the key is not here). */
export function dataKeyStreamName(organizationId: string): string {
  return `data-key-${organizationId}`;
}

const at = z.iso.datetime();
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);

/**
 * A value as events hold it: AES-256-GCM under the value key `keyId` (kept, wrapped by the
 * organization's data key, in the vault's key store), with a fresh 96-bit nonce and the 128-bit
 * tag. The authenticated data binds it to its secret and version.
 */
export const sealedSecretValueSchema = z.strictObject({
  keyId: z.uuid(),
  nonce: base64.length(16),
  ciphertext: base64.min(4),
  tag: base64.length(24),
});
export type SealedSecretValue = z.infer<typeof sealedSecretValueSchema>;

const settings = {
  category: z.enum(SECRET_CATEGORIES),
  scope: z.enum(SECRET_SCOPES),
  description: z.string().max(1000).nullable(),
};

/** A version the secret no longer keeps: its value key is destroyed with this event. */
const retiredVersions = z.array(z.number().int().positive());

const secretEventDefinitions = {
  /** The first version of a secret (again after it was destroyed). `ownerUserId` null: org-shared. */
  SecretCreated: {
    schemaVersion: 1,
    data: z.strictObject({
      secretId: z.uuid(),
      organizationId: z.uuid(),
      ownerUserId: z.uuid().nullable(),
      name: z.string().regex(/^[A-Z0-9_]{1,128}$/),
      ...settings,
      version: z.number().int().positive(),
      value: sealedSecretValueSchema,
      createdBy: z.uuid(),
      createdAt: at,
    }),
  },
  /** A new value, with the settings as they are now; the oldest versions beyond ten retire. */
  SecretRotated: {
    schemaVersion: 1,
    data: z.strictObject({
      secretId: z.uuid(),
      ...settings,
      version: z.number().int().positive(),
      value: sealedSecretValueSchema,
      retiredVersions,
      rotatedBy: z.uuid(),
      rotatedAt: at,
    }),
  },
  /** Soft delete: hidden from lists and reveals until undeleted or destroyed. */
  SecretDeleted: {
    schemaVersion: 1,
    data: z.strictObject({ secretId: z.uuid(), deletedBy: z.uuid(), deletedAt: at }),
  },
  SecretUndeleted: {
    schemaVersion: 1,
    data: z.strictObject({ secretId: z.uuid(), undeletedBy: z.uuid(), undeletedAt: at }),
  },
  /**
   * Every value key of the secret is destroyed: the ciphertexts in this stream can no longer be
   * opened. `destroyedBy` null when a reaction destroyed it; `cause` says to what.
   */
  SecretDestroyed: {
    schemaVersion: 1,
    data: z.strictObject({
      secretId: z.uuid(),
      destroyedVersions: retiredVersions,
      destroyedBy: z.uuid().nullable(),
      cause: departureCauseSchema.nullable(),
      destroyedAt: at,
    }),
  },
  /** A person saw the value (the actor in the metadata: user, or API key with its id). */
  SecretRevealed: {
    schemaVersion: 1,
    data: z.strictObject({
      secretId: z.uuid(),
      organizationId: z.uuid(),
      ownerUserId: z.uuid().nullable(),
      name: z.string().min(1),
      version: z.number().int().positive(),
      revealedBy: z.uuid(),
      revealedAt: at,
    }),
  },
  /** A platform service used the value at run time, for a user. */
  SecretResolved: {
    schemaVersion: 1,
    data: z.strictObject({
      secretId: z.uuid(),
      organizationId: z.uuid(),
      ownerUserId: z.uuid().nullable(),
      name: z.string().min(1),
      version: z.number().int().positive(),
      forUserId: z.uuid(),
      resolver: z.string().min(1),
      usage: z.enum(SECRET_SCOPES),
      resolvedAt: at,
    }),
  },
  /** The organization's data key was made (wrapped by master key `masterKeyId`). */
  DataKeyCreated: {
    schemaVersion: 1,
    data: z.strictObject({
      organizationId: z.uuid(),
      masterKeyId: z.string().min(1),
      createdAt: at,
    }),
  },
  /** A master-key rotation wrapped the data key anew; no secret changed. */
  DataKeyRewrapped: {
    schemaVersion: 1,
    data: z.strictObject({
      organizationId: z.uuid(),
      fromMasterKeyId: z.string().min(1),
      toMasterKeyId: z.string().min(1),
      rewrappedAt: at,
    }),
  },
  /** Crypto-shredding: no secret of the organization can be opened again, from any copy. */
  DataKeyDestroyed: {
    schemaVersion: 1,
    data: z.strictObject({
      organizationId: z.uuid(),
      cause: departureCauseSchema,
      destroyedAt: at,
    }),
  },
};

export const secretEvents = defineEventCatalog(secretEventDefinitions);
export type SecretEvent = EventOf<typeof secretEventDefinitions>;
