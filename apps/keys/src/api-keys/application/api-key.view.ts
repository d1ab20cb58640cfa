import type { ApiKeyView, Scope } from '@orgplane/contracts';
import { apiKeyStatus, type IssuedApiKey } from '@orgplane/keys-domain';

/** What the view shows of a key, whether read from the read model or from its stream. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  keyPrefix: string;
  scopes: Scope[];
  projectId: string | null;
  isTest: boolean;
  ownerUserId: string;
  expiresAt: string | Date | null;
  revokedAt: string | Date | null;
  createdAt: string | Date;
}

/** null while the identity service has told nothing about the user */
export type OwnerProfile = {
  email: string;
  firstName: string | null;
  lastName: string | null;
} | null;

/** A key as its stream leaves it after a command, for the command's reply. */
export function recordOf(key: IssuedApiKey): ApiKeyRecord {
  return { ...key, revokedAt: key.status === 'revoked' ? key.revokedAt : null };
}

/** The one mapping to the API-key object of the API (reference §7.3); never the secret. */
export function toApiKeyView(
  key: ApiKeyRecord,
  lastUsedAt: Date | null,
  owner: OwnerProfile,
  now: Date,
): ApiKeyView {
  const displayName = [owner?.firstName, owner?.lastName].filter(Boolean).join(' ');
  return {
    id: key.id,
    name: key.name,
    keyPrefix: key.keyPrefix,
    scopes: key.scopes,
    projectId: key.projectId,
    isTest: key.isTest,
    expiresAt: isoOrNull(key.expiresAt),
    lastUsedAt: isoOrNull(lastUsedAt),
    revokedAt: isoOrNull(key.revokedAt),
    createdAt: new Date(key.createdAt).toISOString(),
    status: apiKeyStatus(key, now),
    ownerUserId: key.ownerUserId,
    ownerDisplayName: displayName || null,
    ownerEmail: owner?.email ?? null,
  };
}

function isoOrNull(at: string | Date | null): string | null {
  return at === null ? null : new Date(at).toISOString();
}
