import type { KeyEvent, RevocationCause } from '@orgplane/contracts';
import { nameBasedUuid, ServiceError, type Decider, validDisplayName } from '@orgplane/util';
import { requireVisible, type KeyActor } from '../common/key-access';
import type { SshPublicKey } from './ssh-public-key';

type SshKeyEventOfType<Type extends KeyEvent['type']> = Extract<KeyEvent, { type: Type }>;
const SSH_KEY = 'SSH key';

export interface RegisteredSshKey {
  status: 'registered';
  id: string;
  organizationId: string;
  ownerUserId: string;
  name: string;
  fingerprint: string;
  projectId: string | null;
}

/**
 * The stream of one public key in one organization (its id is derived from both): the key is
 * registered there, or not (never, or no longer: a deleted key may be added again).
 */
export type SshKey = { status: 'absent' } | RegisteredSshKey;

export interface CommandMetadata {
  now: Date;
}

/**
 * One public key, once per organization: its id is derived from the organization and the key's
 * fingerprint, so two members adding the same key at once meet on one stream, and the second is
 * a 409 `ssh_key_exists`.
 */
export function sshKeyIdOf(organizationId: string, fingerprint: string): string {
  return nameBasedUuid('ssh-key', `${organizationId}:${fingerprint}`);
}

/** The handler parses the key first: the stream to add it on is named after its fingerprint. */
export interface AddSshKey {
  type: 'AddSshKey';
  data: {
    sshKeyId: string;
    actor: KeyActor;
    name: string;
    key: SshPublicKey;
    projectId?: string | null;
  };
  metadata: CommandMetadata;
}

/** By a user (the owner or an Admin), or by a reaction to what `cause` names. */
export interface DeleteSshKey {
  type: 'DeleteSshKey';
  data: { by: KeyActor } | { cause: RevocationCause };
  metadata: CommandMetadata;
}

export type SshKeyCommand = AddSshKey | DeleteSshKey;

export function initialState(): SshKey {
  return { status: 'absent' };
}

export function evolve(state: SshKey, event: KeyEvent): SshKey {
  switch (event.type) {
    case 'SshKeyAdded': {
      const { sshKeyId, organizationId, ownerUserId, name, fingerprint, projectId } = event.data;
      return {
        status: 'registered',
        id: sshKeyId,
        organizationId,
        ownerUserId,
        name,
        fingerprint,
        projectId,
      };
    }
    case 'SshKeyDeleted':
      return { status: 'absent' };
    // API keys have streams of their own; their events never reach an SSH key's stream.
    case 'ApiKeyCreated':
    case 'ApiKeyUpdated':
    case 'ApiKeyRotated':
    case 'ApiKeyRevoked':
      return state;
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** One public key once per organization, whoever added it: the second is a 409. */
export function addSshKey(command: AddSshKey, state: SshKey): [SshKeyEventOfType<'SshKeyAdded'>] {
  if (state.status === 'registered') {
    throw ServiceError.conflict('ssh_key_exists', 'This SSH key is already registered here');
  }
  const { sshKeyId, actor, key } = command.data;
  return [
    {
      type: 'SshKeyAdded',
      data: {
        sshKeyId,
        organizationId: actor.organizationId,
        ownerUserId: actor.userId,
        name: validDisplayName(command.data.name),
        publicKey: key.publicKey,
        keyType: key.keyType,
        fingerprint: key.fingerprint,
        bits: key.bits,
        comment: key.comment,
        projectId: command.data.projectId ?? null,
        addedAt: command.metadata.now.toISOString(),
      },
    },
  ];
}

/**
 * Its owner or an Admin deletes a key (a key already gone is a 404 to them); a reaction deletes
 * it naming its cause, and finding it gone changes nothing.
 */
export function deleteSshKey(
  command: DeleteSshKey,
  state: SshKey,
): SshKeyEventOfType<'SshKeyDeleted'>[] {
  const { data } = command;
  const registered = state.status === 'registered' ? state : null;
  const key = 'by' in data ? requireVisible(registered, data.by, SSH_KEY) : registered;
  if (!key) return [];
  return [
    {
      type: 'SshKeyDeleted',
      data: {
        sshKeyId: key.id,
        deletedBy: 'by' in data ? data.by.userId : null,
        cause: 'cause' in data ? data.cause : null,
        deletedAt: command.metadata.now.toISOString(),
      },
    },
  ];
}

export function decide(command: SshKeyCommand, state: SshKey): KeyEvent[] {
  switch (command.type) {
    case 'AddSshKey':
      return addSshKey(command, state);
    case 'DeleteSshKey':
      return deleteSshKey(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`Unknown command ${(unknown as { type: string }).type}`);
    }
  }
}

/** One public key in one organization, on its stream `ssh-key-<sshKeyId>`. */
export const sshKeyDecider: Decider<SshKeyCommand, SshKey, KeyEvent> = {
  initialState,
  decide,
  evolve,
};
