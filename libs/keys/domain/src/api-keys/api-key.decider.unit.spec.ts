import type { KeyEvent, RevocationCause } from '@orgplane/contracts';
import { deciderSpecification } from '@orgplane/testing';
import { foldEvents, ServiceError, type ErrorKind } from '@orgplane/util';
import type { KeyActor } from '../common/key-access';
import { hashesOf, type IssuedApiKey } from './api-key';
import {
  apiKeyDecider,
  type CreateApiKey,
  type RotateApiKey,
  type UpdateApiKey,
} from './api-key.decider';

const spec = deciderSpecification(apiKeyDecider);

const organizationId = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const otherOrganizationId = '9b2f6c1e-0d4a-4e8b-a1c3-5d7e9f0a2b4c';
const keyId = 'c56a4180-65aa-42ec-a945-5fd21dec0538';
const now = new Date('2026-03-01T12:00:00.000Z');
const metadata = { now };

/** the owner, a Member */
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
/** Bob, acting in another organization he also belongs to */
const bobElsewhere: KeyActor = { ...bob, organizationId: otherOrganizationId, role: 'admin' };

const hash = (digit: string) => digit.repeat(64);
const secret = (digit: string, isTest = false) => ({
  keyHash: hash(digit),
  keyPrefix: `${isTest ? 'rt_test_' : 'rt_live_'}${digit.repeat(4)}`,
});

function create(data: Partial<CreateApiKey['data']> = {}): CreateApiKey {
  return {
    type: 'CreateApiKey',
    data: { keyId, actor: bob, name: 'CI', ...secret('a'), ...data },
    metadata,
  };
}

const created: KeyEvent = {
  type: 'ApiKeyCreated',
  data: {
    keyId,
    organizationId,
    ownerUserId: bob.userId,
    name: 'CI',
    keyPrefix: 'rt_live_aaaa',
    keyHash: hash('a'),
    scopes: ['*'],
    projectId: null,
    isTest: false,
    expiresAt: null,
    createdAt: now.toISOString(),
  },
};

function update(data: Omit<UpdateApiKey['data'], 'actor'>, actor = bob): UpdateApiKey {
  return { type: 'UpdateApiKey', data: { actor, ...data }, metadata };
}

function rotate(gracePeriodSeconds: number, actor = bob, at = now): RotateApiKey {
  return {
    type: 'RotateApiKey',
    data: { actor, secrets: { live: secret('b'), test: secret('c', true) }, gracePeriodSeconds },
    metadata: { now: at },
  };
}

function rotated(previousValidUntil: Date, previous = 'a', next = 'b'): KeyEvent {
  return {
    type: 'ApiKeyRotated',
    data: {
      keyId,
      keyPrefix: `rt_live_${next.repeat(4)}`,
      keyHash: hash(next),
      previousKeyHash: hash(previous),
      previousValidUntil: previousValidUntil.toISOString(),
      rotatedBy: bob.userId,
      rotatedAt: now.toISOString(),
    },
  };
}

const revokedByBob: KeyEvent = {
  type: 'ApiKeyRevoked',
  data: { keyId, revokedBy: bob.userId, cause: null, revokedAt: now.toISOString() },
};

const removal: RevocationCause = {
  reason: 'member_removed',
  eventId: 'e2a4c6f8-1b3d-4f5a-8c7e-9d0f1a2b3c4d',
  eventType: 'MemberRemoved',
};

function refusedWith(kind: ErrorKind, code: string) {
  return (error: Error) => {
    expect(error).toBeInstanceOf(ServiceError);
    const { kind: actualKind, code: actualCode } = error as ServiceError;
    expect({ kind: actualKind, code: actualCode }).toEqual({ kind, code });
  };
}

function invalid(field: string) {
  return (error: ServiceError) => {
    expect(error).toBeInstanceOf(ServiceError);
    expect(error.kind).toBe('validation');
    expect(Object.keys(error.details?.fields as object)).toEqual([field]);
  };
}

describe('CreateApiKey', () => {
  it('issues a key owned by the actor in the organization the request acts in, storing only the hash', () => {
    spec.given([]).when(create()).then([created]);
  });

  it('trims the name, and refuses empty, overlong or control-character names', () => {
    spec
      .given([])
      .when(create({ name: '  CI \n' }))
      .then([created]);
    for (const name of [' ', 'x'.repeat(101), 'C\u0000I', 'C\nI', '\ud800']) {
      spec.given([]).when(create({ name })).thenThrows(invalid('name'));
    }
    const [event] = apiKeyDecider.decide(create({ name: 'é'.repeat(100) }), {
      status: 'nonexistent',
    });
    expect(event.data).toMatchObject({ name: 'é'.repeat(100) });
  });

  it('reads no scopes as every scope, and keeps each scope once', () => {
    const scopesOf = (scopes: CreateApiKey['data']['scopes']) =>
      apiKeyDecider.decide(create({ scopes }), { status: 'nonexistent' })[0].data;
    expect(scopesOf(undefined)).toMatchObject({ scopes: ['*'] });
    expect(scopesOf([])).toMatchObject({ scopes: ['*'] });
    expect(scopesOf(['sandbox:read', 'agent:run', 'sandbox:read'])).toMatchObject({
      scopes: ['sandbox:read', 'agent:run'],
    });
  });

  it('lets a Member ask for admin scopes: the owner’s role still caps what the key does', () => {
    const [event] = apiKeyDecider.decide(create({ scopes: ['admin:*'] }), {
      status: 'nonexistent',
    });
    expect(event.data).toMatchObject({ scopes: ['admin:*'], ownerUserId: bob.userId });
  });

  it('expires after 30-day months, 7-day weeks and 365-day years, at most 10 years on', () => {
    const expiresAt = (expiresIn: string | null) =>
      (
        apiKeyDecider.decide(create({ expiresIn }), { status: 'nonexistent' })[0].data as {
          expiresAt: string | null;
        }
      ).expiresAt;
    const daysOn = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();
    expect(expiresAt(null)).toBeNull();
    expect(expiresAt('30d')).toBe(daysOn(30));
    expect(expiresAt('12w')).toBe(daysOn(84));
    expect(expiresAt('6m')).toBe(daysOn(180));
    expect(expiresAt('1y')).toBe(daysOn(365));
    expect(expiresAt('10y')).toBe(daysOn(3650));
    expect(expiresAt('3650d')).toBe(daysOn(3650));
    for (const expiresIn of ['11y', '3651d', '122m', '522w', '30x', '0d']) {
      spec.given([]).when(create({ expiresIn })).thenThrows(invalid('expiresIn'));
    }
  });

  it('keeps the test flag and the project', () => {
    const projectId = 'd9b1d7db-5f3b-4c8f-9f5a-0e6a2f3b4c5d';
    const [event] = apiKeyDecider.decide(create({ isTest: true, projectId }), {
      status: 'nonexistent',
    });
    expect(event.data).toMatchObject({ isTest: true, projectId });
  });
});

describe('UpdateApiKey', () => {
  const updated = (data: Partial<Extract<KeyEvent, { type: 'ApiKeyUpdated' }>['data']>) => ({
    type: 'ApiKeyUpdated' as const,
    data: {
      keyId,
      name: 'CI',
      scopes: ['*' as const],
      projectId: null,
      updatedBy: bob.userId,
      updatedAt: now.toISOString(),
      ...data,
    },
  });

  it('records the whole new settings, for the owner', () => {
    spec
      .given([created])
      .when(update({ name: ' Deploys ', scopes: ['sandbox:*', 'sandbox:*'] }))
      .then([updated({ name: 'Deploys', scopes: ['sandbox:*'] })]);
    const projectId = 'd9b1d7db-5f3b-4c8f-9f5a-0e6a2f3b4c5d';
    spec
      .given([created])
      .when(update({ projectId }))
      .then([updated({ projectId })]);
  });

  it('records nothing when nothing changes', () => {
    spec.given([created]).when(update({})).then([]);
    spec
      .given([created])
      .when(update({ name: 'CI', scopes: [], projectId: null }))
      .then([]);
  });

  it('is the owner’s: another Member gets 404, an Admin 403 owner_only', () => {
    spec
      .given([created])
      .when(update({ name: 'X' }, cyd))
      .thenThrows(refusedWith('not_found', 'not_found'));
    spec
      .given([created])
      .when(update({ name: 'X' }, ada))
      .thenThrows(refusedWith('forbidden', 'owner_only'));
  });

  it('is a 404 from another organization, even for the owner, and for an unknown key', () => {
    spec
      .given([created])
      .when(update({ name: 'X' }, bobElsewhere))
      .thenThrows(refusedWith('not_found', 'not_found'));
    spec
      .given([])
      .when(update({ name: 'X' }))
      .thenThrows(refusedWith('not_found', 'not_found'));
  });

  it('refuses a revoked key with 409 api_key_revoked', () => {
    spec
      .given([created, revokedByBob])
      .when(update({ name: 'X' }))
      .thenThrows(refusedWith('conflict', 'api_key_revoked'));
  });
});

describe('RotateApiKey', () => {
  it('gives the key a new secret and keeps the old one for the grace period', () => {
    spec
      .given([created])
      .when(rotate(3600))
      .then([rotated(new Date(now.getTime() + 3_600_000))]);
  });

  it('ends the old secret at once without a grace period', () => {
    spec
      .given([created])
      .when(rotate(0))
      .then([rotated(now)]);
  });

  it('draws the new secret of the key’s own kind', () => {
    const testKey = { ...created, data: { ...created.data, isTest: true } } as KeyEvent;
    const [event] = apiKeyDecider.decide(rotate(0), foldEvents(apiKeyDecider, [testKey]));
    expect(event.data).toMatchObject({ keyHash: hash('c'), keyPrefix: 'rt_test_cccc' });
  });

  it('is the owner’s, and refuses revoked and expired keys', () => {
    spec.given([created]).when(rotate(0, cyd)).thenThrows(refusedWith('not_found', 'not_found'));
    spec.given([created]).when(rotate(0, ada)).thenThrows(refusedWith('forbidden', 'owner_only'));
    spec
      .given([created, revokedByBob])
      .when(rotate(0))
      .thenThrows(refusedWith('conflict', 'api_key_revoked'));
    const expiring = {
      ...created,
      data: { ...created.data, expiresAt: new Date(now.getTime() + 1000).toISOString() },
    } as KeyEvent;
    spec
      .given([expiring])
      .when(rotate(0))
      .then([rotated(now)]);
    spec
      .given([expiring])
      .when(rotate(0, bob, new Date(now.getTime() + 1000)))
      .thenThrows(refusedWith('conflict', 'api_key_expired'));
  });

  it('keeps every hash a gateway may hold, the one a second rotation cut short included', () => {
    const graceEnd = new Date(now.getTime() + 3_600_000);
    const once = foldEvents(apiKeyDecider, [created, rotated(graceEnd)]) as IssuedApiKey;
    expect(hashesOf(once)).toEqual([hash('b'), hash('a')]);
    const twice = foldEvents(apiKeyDecider, [
      created,
      rotated(graceEnd),
      rotated(graceEnd, 'b', 'd'),
    ]) as IssuedApiKey;
    expect(hashesOf(twice)).toEqual([hash('d'), hash('b'), hash('a')]);
  });
});

describe('RevokeApiKey', () => {
  it('is for the owner or an Admin of the organization', () => {
    spec
      .given([created])
      .when({ type: 'RevokeApiKey', data: { by: bob }, metadata })
      .then([revokedByBob]);
    spec
      .given([created])
      .when({ type: 'RevokeApiKey', data: { by: ada }, metadata })
      .then([
        { ...revokedByBob, data: { ...revokedByBob.data, revokedBy: ada.userId } } as KeyEvent,
      ]);
    for (const by of [cyd, bobElsewhere]) {
      spec
        .given([created])
        .when({ type: 'RevokeApiKey', data: { by }, metadata })
        .thenThrows(refusedWith('not_found', 'not_found'));
    }
  });

  it('records nothing for a key already revoked', () => {
    spec
      .given([created, revokedByBob])
      .when({ type: 'RevokeApiKey', data: { by: bob }, metadata })
      .then([]);
  });

  it('names the cause when a reaction revokes, and records nothing the second time', () => {
    const byReaction: KeyEvent = {
      type: 'ApiKeyRevoked',
      data: { keyId, revokedBy: null, cause: removal, revokedAt: now.toISOString() },
    };
    spec
      .given([created])
      .when({ type: 'RevokeApiKey', data: { cause: removal }, metadata })
      .then([byReaction]);
    spec
      .given([created, byReaction])
      .when({ type: 'RevokeApiKey', data: { cause: removal }, metadata })
      .then([]);
  });
});
