import type { KeyEvent, SshKeyView } from '@orgplane/contracts';
import type { SshKeyEntity } from '../infrastructure/ssh-key.entity';

type SshKeyAdded = Extract<KeyEvent, { type: 'SshKeyAdded' }>['data'];

/** The one mapping to the SSH-key object of the API, from the read model's row. */
export function toSshKeyView(key: SshKeyEntity): SshKeyView {
  return {
    id: key.id,
    name: key.name,
    publicKey: key.publicKey,
    keyType: key.keyType,
    fingerprint: key.fingerprint,
    bits: key.bits,
    comment: key.comment,
    projectId: key.projectId,
    ownerUserId: key.ownerUserId,
    createdAt: key.createdAt.toISOString(),
  };
}

/** The same object from the event that added the key, for the reply to adding it. */
export function addedSshKeyView({ sshKeyId, addedAt, ...key }: SshKeyAdded): SshKeyView {
  return toSshKeyView({ id: sshKeyId, ...key, createdAt: new Date(addedAt) });
}
