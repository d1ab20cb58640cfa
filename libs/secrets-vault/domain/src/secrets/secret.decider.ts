import {
  SECRET_VERSIONS_KEPT,
  type DepartureCause,
  type SealedSecretValue,
  type SecretCategory,
  type SecretEvent,
  type SecretScope,
} from '@orgplane/contracts';
import { ServiceError, type Decider } from '@orgplane/util';
import { requireManager, type SecretActor } from './secret-access';

type SecretEventOfType<Type extends SecretEvent['type']> = Extract<SecretEvent, { type: Type }>;

export interface SecretSettings {
  category: SecretCategory;
  scope: SecretScope;
  description: string | null;
}

/** The reference's defaults for a new secret (RunTools §7.5). */
export const DEFAULT_SECRET_SETTINGS: SecretSettings = {
  category: 'provider',
  scope: 'all',
  description: null,
};

/** A value the secret keeps, sealed (see SecretCipher); the oldest beyond ten retire. */
export interface KeptVersion {
  version: number;
  value: SealedSecretValue;
  createdAt: string;
  createdBy: string;
}

/** What names a secret: its organization, its owner (null: org-shared), its name. */
export interface SecretIdentity {
  id: string;
  organizationId: string;
  ownerUserId: string | null;
  name: string;
}

interface StoredSecret extends SecretIdentity, SecretSettings {
  /** oldest first; the last is the current one */
  versions: KeptVersion[];
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

export type ActiveSecret = StoredSecret & { status: 'active' };
export type DeletedSecret = StoredSecret & { status: 'deleted'; deletedAt: string };

/**
 * Its value keys are gone. `lastVersion` lets a secret created again under the name continue the
 * numbering, and names the keys to delete (valueKeysToDestroy) when a destroy is repeated after a
 * crash between its append and its key deletion.
 */
export type DestroyedSecret = SecretIdentity & { status: 'destroyed'; lastVersion: number };

/** One secret's stream: never written, active, soft-deleted, or destroyed (and free again). */
export type Secret = { status: 'absent' } | ActiveSecret | DeletedSecret | DestroyedSecret;

export interface CommandMetadata {
  now: Date;
}

/**
 * Create or rotate. The value arrives sealed for `version`, since sealing is asynchronous and the
 * decider is not: the handler seals for the version `versionToWrite` gives, and the decider records
 * the value only if that is still the version the write gets (see setSecret).
 */
export interface SetSecret {
  type: 'SetSecret';
  data: {
    identity: SecretIdentity;
    actor: SecretActor;
    /** absent settings: the defaults on creation, the current ones on rotation */
    settings: Partial<SecretSettings>;
    version: number;
    value: SealedSecretValue;
  };
  metadata: CommandMetadata;
}

export interface DeleteSecret {
  type: 'DeleteSecret';
  data: { by: SecretActor };
  metadata: CommandMetadata;
}

export interface UndeleteSecret {
  type: 'UndeleteSecret';
  data: { by: SecretActor };
  metadata: CommandMetadata;
}

/** By a user (the owner, or an Admin for an org-shared secret), or by a reaction to `cause`. */
export interface DestroySecret {
  type: 'DestroySecret';
  data: { by: SecretActor } | { cause: DepartureCause };
  metadata: CommandMetadata;
}

export type SecretCommand = SetSecret | DeleteSecret | UndeleteSecret | DestroySecret;

export function initialState(): Secret {
  return { status: 'absent' };
}

/** The current version of a secret that has one. */
export function currentVersion(secret: ActiveSecret | DeletedSecret): KeptVersion {
  return secret.versions[secret.versions.length - 1];
}

/** A kept version: the current one, or the one asked for (else 404 `version_not_found`). */
export function keptVersion(secret: ActiveSecret, version?: number): KeptVersion {
  if (version === undefined) return currentVersion(secret);
  const kept = secret.versions.find((candidate) => candidate.version === version);
  if (!kept) {
    throw new ServiceError(
      'not_found',
      'version_not_found',
      `This secret does not keep a version ${version}`,
    );
  }
  return kept;
}

/**
 * The value keys to delete once a secret is destroyed: every version it ever had, not only the
 * ones SecretDestroyed names. Deleting keys is idempotent, so this also finishes a destroy that
 * stopped after its append, or a rotation that stopped before deleting the keys it retired.
 */
export function valueKeysToDestroy(secret: DestroyedSecret): number[] {
  return Array.from({ length: secret.lastVersion }, (_, index) => index + 1);
}

export function evolve(state: Secret, event: SecretEvent): Secret {
  switch (event.type) {
    case 'SecretCreated': {
      const { secretId, organizationId, ownerUserId, name, category, scope, description } =
        event.data;
      const { version, value, createdBy, createdAt } = event.data;
      return {
        status: 'active',
        id: secretId,
        organizationId,
        ownerUserId,
        name,
        category,
        scope,
        description,
        versions: [{ version, value, createdAt, createdBy }],
        createdAt,
        createdBy,
        updatedAt: createdAt,
        updatedBy: createdBy,
      };
    }
    case 'SecretRotated': {
      if (state.status !== 'active') return state;
      const { category, scope, description, version, value, retiredVersions } = event.data;
      const { rotatedBy, rotatedAt } = event.data;
      const versions = [
        ...state.versions,
        { version, value, createdAt: rotatedAt, createdBy: rotatedBy },
      ].filter((kept) => !retiredVersions.includes(kept.version));
      return {
        ...state,
        category,
        scope,
        description,
        versions,
        updatedAt: rotatedAt,
        updatedBy: rotatedBy,
      };
    }
    case 'SecretDeleted':
      return state.status === 'active'
        ? { ...state, status: 'deleted', deletedAt: event.data.deletedAt }
        : state;
    case 'SecretUndeleted': {
      if (state.status !== 'deleted') return state;
      const { deletedAt: _restored, ...secret } = state;
      return { ...secret, status: 'active' };
    }
    case 'SecretDestroyed': {
      if (state.status !== 'active' && state.status !== 'deleted') return state;
      const { id, organizationId, ownerUserId, name } = state;
      return {
        status: 'destroyed',
        id,
        organizationId,
        ownerUserId,
        name,
        lastVersion: currentVersion(state).version,
      };
    }
    // Reveals, resolutions and the data key have streams of their own.
    case 'SecretRevealed':
    case 'SecretResolved':
    case 'DataKeyCreated':
    case 'DataKeyRewrapped':
    case 'DataKeyDestroyed':
      return state;
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/**
 * The version a write of this secret gets, once the actor may write it: what the handler seals
 * the value for. A soft-deleted secret takes no new value (409 `secret_deleted`): undelete it or
 * destroy it first, as AWS Secrets Manager has it. A destroyed one starts again, continuing the
 * numbering so that no version number ever names two values.
 */
export function versionToWrite(
  actor: SecretActor,
  ownerUserId: string | null,
  state: Secret,
): number {
  requireManager(actor, ownerUserId, 'change org-shared secrets');
  switch (state.status) {
    case 'absent':
      return 1;
    case 'destroyed':
      return state.lastVersion + 1;
    case 'deleted':
      throw ServiceError.conflict(
        'secret_deleted',
        'This secret is deleted; undelete or destroy it before setting a new value',
      );
    case 'active':
      return currentVersion(state).version + 1;
  }
}

/** The settings given, the others as they were (`description: null` clears it). */
function settled(current: SecretSettings, given: Partial<SecretSettings>): SecretSettings {
  return {
    category: given.category ?? current.category,
    scope: given.scope ?? current.scope,
    description: given.description === undefined ? current.description : given.description,
  };
}

/**
 * A new secret, or a new version of the active one. The value's ciphertext is bound to its
 * version, so it is recorded only under the version it was sealed for: when another write took
 * that version meanwhile (also on handleCommand's re-decide after a concurrent append), this is a
 * 409 `concurrent_update`, and the handler seals again for the version now next.
 */
export function setSecret(
  command: SetSecret,
  state: Secret,
): [SecretEventOfType<'SecretCreated'> | SecretEventOfType<'SecretRotated'>] {
  const { identity, actor, settings, version, value } = command.data;
  if (versionToWrite(actor, identity.ownerUserId, state) !== version) {
    throw ServiceError.conflict(
      'concurrent_update',
      'Someone else changed this secret at the same time; try again',
    );
  }
  const at = command.metadata.now.toISOString();
  if (state.status !== 'active') {
    return [
      {
        type: 'SecretCreated',
        data: {
          secretId: identity.id,
          organizationId: identity.organizationId,
          ownerUserId: identity.ownerUserId,
          name: identity.name,
          ...settled(DEFAULT_SECRET_SETTINGS, settings),
          version,
          value,
          createdBy: actor.userId,
          createdAt: at,
        },
      },
    ];
  }
  const kept = [...state.versions.map((kept) => kept.version), version];
  return [
    {
      type: 'SecretRotated',
      data: {
        secretId: state.id,
        ...settled(state, settings),
        version,
        value,
        retiredVersions: kept.slice(0, Math.max(0, kept.length - SECRET_VERSIONS_KEPT)),
        rotatedBy: actor.userId,
        rotatedAt: at,
      },
    },
  ];
}

/** A secret still there (active or soft-deleted) that the actor may change; else 404 / 403. */
function requireStored(
  state: Secret,
  actor: SecretActor,
  doing: string,
): ActiveSecret | DeletedSecret {
  if (state.status !== 'active' && state.status !== 'deleted') {
    throw ServiceError.notFound('Secret');
  }
  requireManager(actor, state.ownerUserId, doing);
  return state;
}

/** Soft delete; deleting it again changes nothing. */
export function deleteSecret(
  command: DeleteSecret,
  state: Secret,
): SecretEventOfType<'SecretDeleted'>[] {
  const { by } = command.data;
  const secret = requireStored(state, by, 'delete org-shared secrets');
  if (secret.status === 'deleted') return [];
  const deletedAt = command.metadata.now.toISOString();
  return [
    { type: 'SecretDeleted', data: { secretId: secret.id, deletedBy: by.userId, deletedAt } },
  ];
}

/** Brings a soft-deleted secret back, with its versions; an active one stays as it is. */
export function undeleteSecret(
  command: UndeleteSecret,
  state: Secret,
): SecretEventOfType<'SecretUndeleted'>[] {
  const { by } = command.data;
  const secret = requireStored(state, by, 'undelete org-shared secrets');
  if (secret.status === 'active') return [];
  return [
    {
      type: 'SecretUndeleted',
      data: {
        secretId: secret.id,
        undeletedBy: by.userId,
        undeletedAt: command.metadata.now.toISOString(),
      },
    },
  ];
}

/**
 * Destroys every kept version, active or soft-deleted. Destroying it again records nothing (the
 * handler still deletes its value keys, in case the first time stopped short of it);
 * a user asking about a secret that never was gets a 404, a reaction finding none does nothing.
 */
export function destroySecret(
  command: DestroySecret,
  state: Secret,
): SecretEventOfType<'SecretDestroyed'>[] {
  const { data } = command;
  if ('by' in data) {
    if (state.status === 'absent') throw ServiceError.notFound('Secret');
    requireManager(data.by, state.ownerUserId, 'destroy org-shared secrets');
  }
  if (state.status === 'absent' || state.status === 'destroyed') return [];
  return [
    {
      type: 'SecretDestroyed',
      data: {
        secretId: state.id,
        destroyedVersions: state.versions.map((kept) => kept.version),
        destroyedBy: 'by' in data ? data.by.userId : null,
        cause: 'cause' in data ? data.cause : null,
        destroyedAt: command.metadata.now.toISOString(),
      },
    },
  ];
}

export function decide(command: SecretCommand, state: Secret): SecretEvent[] {
  switch (command.type) {
    case 'SetSecret':
      return setSecret(command, state);
    case 'DeleteSecret':
      return deleteSecret(command, state);
    case 'UndeleteSecret':
      return undeleteSecret(command, state);
    case 'DestroySecret':
      return destroySecret(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`Unknown command ${(unknown as { type: string }).type}`);
    }
  }
}

/** One secret, on its stream `secret-<secretId>` (secretIdOf). */
export const secretDecider: Decider<SecretCommand, Secret, SecretEvent> = {
  initialState,
  decide,
  evolve,
};
