import type { KeyEvent, RevocationCause, Scope } from '@orgplane/contracts';
import { ServiceError, type Decider, validDisplayName } from '@orgplane/util';
import { requireOwner, requireVisible, type KeyActor } from '../common/key-access';
import {
  apiKeyStatus,
  evolve,
  initialState,
  issued,
  type ActiveApiKey,
  type ApiKey,
  type CommandMetadata,
} from './api-key';
import { expiresAtOf } from './expires-in';

type ApiKeyEventOfType<Type extends KeyEvent['type']> = Extract<KeyEvent, { type: Type }>;
const API_KEY = 'API key';

/**
 * The handler draws the secret (randomness has no place in a decider) and hands over only its
 * hash and prefix.
 */
export interface CreateApiKey {
  type: 'CreateApiKey';
  data: {
    keyId: string;
    actor: KeyActor;
    name: string;
    /** empty or absent: `["*"]` */
    scopes?: Scope[];
    expiresIn?: string | null;
    isTest?: boolean;
    projectId?: string | null;
    keyHash: string;
    keyPrefix: string;
  };
  metadata: CommandMetadata;
}

/** Settings left out keep their value; `projectId: null` takes the key out of its project. */
export interface UpdateApiKey {
  type: 'UpdateApiKey';
  data: { actor: KeyActor; name?: string; scopes?: Scope[]; projectId?: string | null };
  metadata: CommandMetadata;
}

/** The hash and display prefix of a secret the handler drew. */
export interface DrawnSecret {
  keyHash: string;
  keyPrefix: string;
}

/**
 * The handler draws a new secret of each kind, live and test, since it cannot know which one the
 * key is before its stream is read: the decider takes the one of the key's kind (the other is
 * dropped, never stored).
 */
export interface RotateApiKey {
  type: 'RotateApiKey';
  data: {
    actor: KeyActor;
    secrets: { live: DrawnSecret; test: DrawnSecret };
    gracePeriodSeconds: number;
  };
  metadata: CommandMetadata;
}

/** By a user (the owner or an Admin), or by a reaction to what `cause` names. */
export interface RevokeApiKey {
  type: 'RevokeApiKey';
  data: { by: KeyActor } | { cause: RevocationCause };
  metadata: CommandMetadata;
}

export type ApiKeyCommand = CreateApiKey | UpdateApiKey | RotateApiKey | RevokeApiKey;

/**
 * Creates a key owned by the actor in the organization the request acts in.
 *
 * Scopes do not grant roles: a Member may create a key with any scope, `admin:*` included. What
 * a key can do is checked on every request at the gateway against its owner's role at that
 * moment, so a Member's `admin:*` key reaches nothing admin-only, and an owner's demotion
 * narrows every key they own at once. Refusing such scopes here would only make the key's reach
 * depend on when it was created.
 */
export function createApiKey(
  command: CreateApiKey,
  state: ApiKey,
): [ApiKeyEventOfType<'ApiKeyCreated'>] {
  if (state.status !== 'nonexistent') {
    throw ServiceError.conflict('api_key_exists', 'This API key already exists');
  }
  const { keyId, actor, keyHash, keyPrefix } = command.data;
  const { now } = command.metadata;
  return [
    {
      type: 'ApiKeyCreated',
      data: {
        keyId,
        organizationId: actor.organizationId,
        ownerUserId: actor.userId,
        name: validDisplayName(command.data.name),
        keyPrefix,
        keyHash,
        scopes: scopesOf(command.data.scopes),
        projectId: command.data.projectId ?? null,
        isTest: command.data.isTest ?? false,
        expiresAt: expiresAtOf(command.data.expiresIn, now),
        createdAt: now.toISOString(),
      },
    },
  ];
}

/** Owner only; records only what changes. */
export function updateApiKey(
  command: UpdateApiKey,
  state: ApiKey,
): ApiKeyEventOfType<'ApiKeyUpdated'>[] {
  const { actor } = command.data;
  const key = activeKeyOfOwner(state, actor);
  const name = command.data.name === undefined ? key.name : validDisplayName(command.data.name);
  const scopes = command.data.scopes === undefined ? key.scopes : scopesOf(command.data.scopes);
  const projectId = command.data.projectId === undefined ? key.projectId : command.data.projectId;
  const unchanged =
    name === key.name &&
    projectId === key.projectId &&
    scopes.length === key.scopes.length &&
    scopes.every((scope, index) => scope === key.scopes[index]);
  if (unchanged) return [];
  return [
    {
      type: 'ApiKeyUpdated',
      data: {
        keyId: key.id,
        name,
        scopes,
        projectId,
        updatedBy: actor.userId,
        updatedAt: command.metadata.now.toISOString(),
      },
    },
  ];
}

/**
 * Owner only: a new secret, same id and settings. The old secret keeps working for
 * `gracePeriodSeconds` (0: not at all), so a deployment can switch over without downtime; a
 * rotation within that grace ends the grace of the one before. An expired key is not rotated:
 * its new secret would be dead on arrival.
 */
export function rotateApiKey(
  command: RotateApiKey,
  state: ApiKey,
): [ApiKeyEventOfType<'ApiKeyRotated'>] {
  const { actor, secrets, gracePeriodSeconds } = command.data;
  const { now } = command.metadata;
  const key = activeKeyOfOwner(state, actor);
  if (apiKeyStatus({ revokedAt: null, expiresAt: key.expiresAt }, now) === 'expired') {
    throw ServiceError.conflict('api_key_expired', 'This API key has expired');
  }
  const { keyHash, keyPrefix } = key.isTest ? secrets.test : secrets.live;
  return [
    {
      type: 'ApiKeyRotated',
      data: {
        keyId: key.id,
        keyPrefix,
        keyHash,
        previousKeyHash: key.keyHash,
        previousValidUntil: new Date(now.getTime() + gracePeriodSeconds * 1000).toISOString(),
        rotatedBy: actor.userId,
        rotatedAt: now.toISOString(),
      },
    },
  ];
}

/**
 * Its owner or an Admin of its organization revokes a key; so does a reaction (a member removed,
 * an organization deleted), which names its cause. Revoking a revoked key changes nothing.
 */
export function revokeApiKey(
  command: RevokeApiKey,
  state: ApiKey,
): ApiKeyEventOfType<'ApiKeyRevoked'>[] {
  const { data } = command;
  const key = 'by' in data ? requireVisible(issued(state), data.by, API_KEY) : issued(state);
  if (!key || key.status === 'revoked') return [];
  return [
    {
      type: 'ApiKeyRevoked',
      data: {
        keyId: key.id,
        revokedBy: 'by' in data ? data.by.userId : null,
        cause: 'cause' in data ? data.cause : null,
        revokedAt: command.metadata.now.toISOString(),
      },
    },
  ];
}

/** Empty or absent means every scope (`*`); each scope once, in the order given. */
function scopesOf(requested: readonly Scope[] | undefined): Scope[] {
  return requested?.length ? [...new Set(requested)] : ['*'];
}

function activeKeyOfOwner(state: ApiKey, actor: KeyActor): ActiveApiKey {
  const key = requireOwner(issued(state), actor, API_KEY);
  if (key.status === 'revoked') {
    throw ServiceError.conflict('api_key_revoked', 'This API key has been revoked');
  }
  return key;
}

export function decide(command: ApiKeyCommand, state: ApiKey): KeyEvent[] {
  switch (command.type) {
    case 'CreateApiKey':
      return createApiKey(command, state);
    case 'UpdateApiKey':
      return updateApiKey(command, state);
    case 'RotateApiKey':
      return rotateApiKey(command, state);
    case 'RevokeApiKey':
      return revokeApiKey(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`Unknown command ${(unknown as { type: string }).type}`);
    }
  }
}

/** One API key, on its own stream `api-key-<keyId>`. */
export const apiKeyDecider: Decider<ApiKeyCommand, ApiKey, KeyEvent> = {
  initialState,
  decide,
  evolve,
};
