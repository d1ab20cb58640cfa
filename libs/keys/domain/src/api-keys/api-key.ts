import type { ApiKeyStatus, KeyEvent, Scope } from '@orgplane/contracts';

/** The secret a rotation replaced: it keeps working until `validUntil` (the grace period). */
export interface PreviousSecret {
  keyHash: string;
  validUntil: string;
}

interface ApiKeyFields {
  id: string;
  organizationId: string;
  ownerUserId: string;
  name: string;
  keyPrefix: string;
  /** SHA-256 of the current secret; the secret itself is never kept */
  keyHash: string;
  previous: PreviousSecret | null;
  /**
   * The previous secret of a rotation that a second rotation replaced before its grace period
   * ended: gateways may still hold it, so they are told to forget it too.
   */
  cutShortKeyHash: string | null;
  scopes: Scope[];
  projectId: string | null;
  isTest: boolean;
  expiresAt: string | null;
  createdAt: string;
}

export type ActiveApiKey = ApiKeyFields & { status: 'active' };
export type RevokedApiKey = ApiKeyFields & { status: 'revoked'; revokedAt: string };
export type IssuedApiKey = ActiveApiKey | RevokedApiKey;
/** Expiry is not a state of the stream: it is a matter of time, derived when read. */
export type ApiKey = { status: 'nonexistent' } | IssuedApiKey;

/** Every command of the key's stream takes its time from here, never from a clock. */
export interface CommandMetadata {
  now: Date;
}

export function initialState(): ApiKey {
  return { status: 'nonexistent' };
}

export function issued(state: ApiKey): IssuedApiKey | null {
  return state.status === 'nonexistent' ? null : state;
}

export function evolve(state: ApiKey, event: KeyEvent): ApiKey {
  if (event.type === 'ApiKeyCreated') {
    const { keyId, keyPrefix, keyHash, ...fields } = event.data;
    return {
      status: 'active',
      id: keyId,
      keyPrefix,
      keyHash,
      previous: null,
      cutShortKeyHash: null,
      ...fields,
    };
  }
  if (state.status === 'nonexistent') return state;
  switch (event.type) {
    case 'ApiKeyUpdated': {
      const { name, scopes, projectId } = event.data;
      return { ...state, name, scopes, projectId };
    }
    case 'ApiKeyRotated': {
      const { keyPrefix, keyHash, previousKeyHash, previousValidUntil } = event.data;
      return {
        ...state,
        keyPrefix,
        keyHash,
        previous: { keyHash: previousKeyHash, validUntil: previousValidUntil },
        cutShortKeyHash: state.previous?.keyHash ?? null,
      };
    }
    case 'ApiKeyRevoked':
      return { ...state, status: 'revoked', revokedAt: event.data.revokedAt };
    // SSH keys have streams of their own; their events never reach an API key's stream.
    case 'SshKeyAdded':
    case 'SshKeyDeleted':
      return state;
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/**
 * Every hash a gateway may have cached for this key: after a revocation, rotation or change of
 * settings, gateways forget them all (`keys.v1.events.apiKeysChanged`) and ask again.
 */
export function hashesOf(key: IssuedApiKey): string[] {
  return [key.keyHash, key.previous?.keyHash, key.cutShortKeyHash].filter(
    (hash): hash is string => hash !== undefined && hash !== null,
  );
}

/** revoked once revoked; expired from `expiresAt` on; active otherwise. */
export function apiKeyStatus(
  key: { revokedAt: string | Date | null; expiresAt: string | Date | null },
  now: Date,
): ApiKeyStatus {
  if (key.revokedAt !== null) return 'revoked';
  if (key.expiresAt !== null && new Date(key.expiresAt).getTime() <= now.getTime()) {
    return 'expired';
  }
  return 'active';
}

/** The stored form of a key's secrets, as the resolver reads them. */
export interface KeySecrets {
  keyHash: string;
  previousKeyHash: string | null;
  previousValidUntil: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/**
 * Whether the secret hashing to `keyHash` authenticates as this key at `now`: the current secret
 * until the key expires, the previous one until its grace period ends too. `validUntil` is when
 * it stops by itself (null: never), for the gateway's cache; null as a whole when it does not
 * authenticate at all (revoked, expired, grace over, or not this key's).
 */
export function authenticationOf(
  key: KeySecrets,
  keyHash: string,
  now: Date,
): { validUntil: Date | null } | null {
  if (key.revokedAt !== null) return null;
  let validUntil: Date | null;
  if (keyHash === key.keyHash) validUntil = key.expiresAt;
  else if (keyHash === key.previousKeyHash && key.previousValidUntil) {
    validUntil = earliest(key.expiresAt, key.previousValidUntil);
  } else return null;
  if (validUntil !== null && validUntil.getTime() <= now.getTime()) return null;
  return { validUntil };
}

function earliest(first: Date | null, second: Date): Date {
  return first !== null && first.getTime() < second.getTime() ? first : second;
}

const MINUTE_MS = 60_000;

/** `lastUsedAt` is kept to the minute: gateways report each key at most once a minute. */
export function toMinute(at: Date): Date {
  return new Date(Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS);
}
