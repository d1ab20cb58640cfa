import type { DepartureCause, SealedSecretValue, SecretEvent } from '@orgplane/contracts';
import { deciderSpecification } from '@orgplane/testing';
import { foldEvents, ServiceError } from '@orgplane/util';
import { secretIdOf, type SecretActor } from './secret-access';
import {
  keptVersion,
  secretDecider,
  valueKeysToDestroy,
  versionToWrite,
  type DestroySecret,
  type SecretIdentity,
  type SetSecret,
} from './secret.decider';

const spec = deciderSpecification(secretDecider);

const organizationId = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const now = new Date('2026-03-01T12:00:00.000Z');
const at = now.toISOString();
const metadata = { now };
const bob: SecretActor = {
  userId: '0b5e5c1e-2a53-4b8e-9a8e-8d1c0f6f1a01',
  organizationId,
  role: 'member',
};
const ada: SecretActor = {
  userId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  organizationId,
  role: 'admin',
};
const bobs: SecretIdentity = {
  id: secretIdOf(organizationId, bob.userId, 'OPENAI_KEY'),
  organizationId,
  ownerUserId: bob.userId,
  name: 'OPENAI_KEY',
};
const shared: SecretIdentity = {
  id: secretIdOf(organizationId, null, 'OPENAI_KEY'),
  organizationId,
  ownerUserId: null,
  name: 'OPENAI_KEY',
};
const cause: DepartureCause = {
  reason: 'member_removed',
  eventId: 'c56a4180-65aa-42ec-a945-5fd21dec0538',
  eventType: 'MemberRemoved',
};

/** What SecretCipher.seal would give for a version (the decider never looks inside). */
function sealed(version: number): SealedSecretValue {
  return {
    keyId: `00000000-0000-4000-8000-${String(version).padStart(12, '0')}`,
    nonce: 'AAAAAAAAAAAAAAAA',
    ciphertext: Buffer.from(`v${version}`).toString('base64'),
    tag: 'AAAAAAAAAAAAAAAAAAAAAA==',
  };
}

function set(
  version: number,
  { actor = bob, identity = bobs, settings = {} }: Partial<SetSecret['data']> = {},
): SetSecret {
  return {
    type: 'SetSecret',
    data: { identity, actor, settings, version, value: sealed(version) },
    metadata,
  };
}

function destroy(data: DestroySecret['data']): DestroySecret {
  return { type: 'DestroySecret', data, metadata };
}

const created: SecretEvent = {
  type: 'SecretCreated',
  data: {
    secretId: bobs.id,
    organizationId,
    ownerUserId: bob.userId,
    name: 'OPENAI_KEY',
    category: 'provider',
    scope: 'all',
    description: null,
    version: 1,
    value: sealed(1),
    createdBy: bob.userId,
    createdAt: at,
  },
};

function rotated(version: number, retiredVersions: number[] = []): SecretEvent {
  return {
    type: 'SecretRotated',
    data: {
      secretId: bobs.id,
      category: 'provider',
      scope: 'all',
      description: null,
      version,
      value: sealed(version),
      retiredVersions,
      rotatedBy: bob.userId,
      rotatedAt: at,
    },
  };
}

const deleted: SecretEvent = {
  type: 'SecretDeleted',
  data: { secretId: bobs.id, deletedBy: bob.userId, deletedAt: at },
};

const destroyedByBob: SecretEvent = {
  type: 'SecretDestroyed',
  data: {
    secretId: bobs.id,
    destroyedVersions: [1],
    destroyedBy: bob.userId,
    cause: null,
    destroyedAt: at,
  },
};

function isCode(code: string) {
  return (error: Error) => error instanceof ServiceError && error.code === code;
}

describe('setSecret', () => {
  it('creates version 1 with the reference’s defaults', () => {
    spec.given([]).when(set(1)).then([created]);
  });

  it('rotates, keeping the settings not given', () => {
    spec
      .given([created])
      .when(set(2, { settings: { scope: 'tools' } }))
      .then([{ ...rotated(2), data: { ...rotated(2).data, scope: 'tools' } } as SecretEvent]);
  });

  it('retires the oldest version beyond ten', () => {
    const ten = [created, ...[2, 3, 4, 5, 6, 7, 8, 9, 10].map((version) => rotated(version))];
    spec
      .given(ten)
      .when(set(11))
      .then([rotated(11, [1])]);
  });

  it('refuses a value sealed for a version another write took', () => {
    spec.given([created]).when(set(1)).thenThrows(isCode('concurrent_update'));
  });

  it('refuses a new value for a soft-deleted secret', () => {
    spec.given([created, deleted]).when(set(2)).thenThrows(isCode('secret_deleted'));
  });

  it('creates a destroyed secret again, continuing the numbering', () => {
    spec
      .given([created, destroyedByBob])
      .when(set(2))
      .then([{ ...created, data: { ...created.data, version: 2, value: sealed(2) } }]);
  });

  it('lets only Admins write org-shared secrets', () => {
    spec
      .given([])
      .when(set(1, { identity: shared }))
      .thenThrows(isCode('admin_required'));
    expect(versionToWrite(ada, null, secretDecider.initialState())).toBe(1);
  });
});

describe('deleteSecret and undeleteSecret', () => {
  it('deletes once; deleting again records nothing', () => {
    spec
      .given([created])
      .when({ type: 'DeleteSecret', data: { by: bob }, metadata })
      .then([deleted]);
    spec
      .given([created, deleted])
      .when({ type: 'DeleteSecret', data: { by: bob }, metadata })
      .then([]);
  });

  it('undeletes a deleted secret, and leaves an active one be', () => {
    const undelete = { type: 'UndeleteSecret', data: { by: bob }, metadata } as const;
    spec
      .given([created, deleted])
      .when(undelete)
      .then([
        {
          type: 'SecretUndeleted',
          data: { secretId: bobs.id, undeletedBy: bob.userId, undeletedAt: at },
        },
      ]);
    spec.given([created]).when(undelete).then([]);
    spec.given([created, destroyedByBob]).when(undelete).thenThrows(isCode('not_found'));
  });
});

describe('destroySecret', () => {
  it('destroys every kept version, also of a deleted secret', () => {
    spec
      .given([created, rotated(2), deleted])
      .when(destroy({ by: bob }))
      .then([{ ...destroyedByBob, data: { ...destroyedByBob.data, destroyedVersions: [1, 2] } }]);
  });

  it('names the cause when a reaction destroys it', () => {
    spec
      .given([created])
      .when(destroy({ cause }))
      .then([{ ...destroyedByBob, data: { ...destroyedByBob.data, destroyedBy: null, cause } }]);
  });

  it('records nothing the second time, and still names every value key to delete', () => {
    spec
      .given([created, destroyedByBob])
      .when(destroy({ by: bob }))
      .then([]);
    spec.given([created, destroyedByBob]).when(destroy({ cause })).then([]);
    const state = foldEvents(secretDecider, [created, rotated(2), destroyedByBob]);
    expect(state.status === 'destroyed' && valueKeysToDestroy(state)).toEqual([1, 2]);
  });

  it('is a 404 to a user when there is no secret, and nothing to a reaction', () => {
    spec
      .given([])
      .when(destroy({ by: bob }))
      .thenThrows(isCode('not_found'));
    spec.given([]).when(destroy({ cause })).then([]);
  });
});

describe('keptVersion', () => {
  it('finds kept versions only', () => {
    const state = foldEvents(secretDecider, [created, rotated(2)]);
    if (state.status !== 'active') throw new Error('expected an active secret');
    expect(keptVersion(state).version).toBe(2);
    expect(keptVersion(state, 1).version).toBe(1);
    expect(() => keptVersion(state, 3)).toThrow(ServiceError);
  });
});
