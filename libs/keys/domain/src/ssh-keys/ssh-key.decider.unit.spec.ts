import type { KeyEvent, RevocationCause } from '@orgplane/contracts';
import { deciderSpecification } from '@orgplane/testing';
import { ServiceError, type ErrorKind } from '@orgplane/util';
import type { KeyActor } from '../common/key-access';
import { sshKeyDecider, type AddSshKey, type DeleteSshKey } from './ssh-key.decider';
import { parseSshPublicKey } from './ssh-public-key';

const spec = deciderSpecification(sshKeyDecider);

const organizationId = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const sshKeyId = 'c56a4180-65aa-42ec-a945-5fd21dec0538';
const now = new Date('2026-03-01T12:00:00.000Z');
const metadata = { now };
const bob: KeyActor = {
  userId: '0b5e5c1e-2a53-4b8e-9a8e-8d1c0f6f1a01',
  organizationId,
  role: 'member',
};
const ada: KeyActor = {
  userId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  organizationId,
  role: 'admin',
};
const cyd: KeyActor = {
  userId: '5d2b0f7c-6a4e-4c1b-8f0e-3b9a7c2d4e02',
  organizationId,
  role: 'member',
};
const key = parseSshPublicKey(
  'no-pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIpBLKG+4VtOtFrZddssxjprrPIUPanT3GDWcVdA7Qtc me@host',
);

function add(actor = bob, name = ' laptop '): AddSshKey {
  return { type: 'AddSshKey', data: { sshKeyId, actor, name, key }, metadata };
}

function remove(data: DeleteSshKey['data']): DeleteSshKey {
  return { type: 'DeleteSshKey', data, metadata };
}

const added: KeyEvent = {
  type: 'SshKeyAdded',
  data: {
    sshKeyId,
    organizationId,
    ownerUserId: bob.userId,
    name: 'laptop',
    publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIpBLKG+4VtOtFrZddssxjprrPIUPanT3GDWcVdA7Qtc',
    keyType: 'ssh-ed25519',
    fingerprint: 'SHA256:Lk6NyYpOhHoxLdzwjFMTiO6SmXkOcUygmHcX2uDzhtA',
    bits: 256,
    comment: 'me@host',
    projectId: null,
    addedAt: now.toISOString(),
  },
};

const deletedByBob: KeyEvent = {
  type: 'SshKeyDeleted',
  data: { sshKeyId, deletedBy: bob.userId, cause: null, deletedAt: now.toISOString() },
};

function refusedWith(kind: ErrorKind, code: string) {
  return (error: Error) => {
    expect(error).toBeInstanceOf(ServiceError);
    const { kind: actualKind, code: actualCode } = error as ServiceError;
    expect({ kind: actualKind, code: actualCode }).toEqual({ kind, code });
  };
}

describe('AddSshKey', () => {
  it('registers the key without its options, for the actor, with a trimmed name', () => {
    spec.given([]).when(add()).then([added]);
  });

  it('refuses a key already registered in the organization, whoever added it', () => {
    spec.given([added]).when(add()).thenThrows(refusedWith('conflict', 'ssh_key_exists'));
    spec.given([added]).when(add(ada)).thenThrows(refusedWith('conflict', 'ssh_key_exists'));
  });

  it('adds a deleted key again', () => {
    spec.given([added, deletedByBob]).when(add()).then([added]);
  });

  it('refuses a bad name', () => {
    spec.given([]).when(add(bob, '\t')).thenThrows(refusedWith('validation', 'validation_failed'));
  });
});

describe('DeleteSshKey', () => {
  it('is for the owner or an Admin; others and other organizations get 404', () => {
    spec
      .given([added])
      .when(remove({ by: bob }))
      .then([deletedByBob]);
    spec
      .given([added])
      .when(remove({ by: ada }))
      .then([
        { ...deletedByBob, data: { ...deletedByBob.data, deletedBy: ada.userId } } as KeyEvent,
      ]);
    for (const by of [cyd, { ...bob, organizationId: sshKeyId }]) {
      spec.given([added]).when(remove({ by })).thenThrows(refusedWith('not_found', 'not_found'));
    }
  });

  it('is a 404 for a key already deleted', () => {
    spec
      .given([added, deletedByBob])
      .when(remove({ by: bob }))
      .thenThrows(refusedWith('not_found', 'not_found'));
  });

  it('names the cause when a reaction deletes, and records nothing for a key already gone', () => {
    const cause: RevocationCause = {
      reason: 'organization_deleted',
      eventId: 'e2a4c6f8-1b3d-4f5a-8c7e-9d0f1a2b3c4d',
      eventType: 'OrganizationDeleted',
    };
    const byReaction: KeyEvent = {
      type: 'SshKeyDeleted',
      data: { sshKeyId, deletedBy: null, cause, deletedAt: now.toISOString() },
    };
    spec.given([added]).when(remove({ cause })).then([byReaction]);
    spec.given([added, byReaction]).when(remove({ cause })).then([]);
    spec.given([]).when(remove({ cause })).then([]);
  });
});
