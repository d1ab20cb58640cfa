import {
  keyEvents,
  organizationEvents,
  resourceEvents,
  type AuthorizeRequest,
  type StoredEventShape,
} from '@orgplane/contracts';
import { newId } from '@orgplane/util';
import {
  authorizationMatrix,
  buildAuthorizationWorld,
  type MatrixWorld,
} from '../../../test/support/authorization-matrix';
import { AccessIndex } from './access-index';

function indexOf(world: MatrixWorld): AccessIndex {
  const index = new AccessIndex();
  for (const stream of world.streams) for (const event of stream.events) index.apply(event);
  return index;
}

function answers(index: AccessIndex, world: MatrixWorld, now = Date.now()) {
  return authorizationMatrix(world).map((matrixCase) => index.decide(matrixCase.request, now));
}

const at = new Date().toISOString();

describe('AccessIndex', () => {
  it('answers the matrix as the spec’s rules say, from the events alone', () => {
    const world = buildAuthorizationWorld();
    const cases = authorizationMatrix(world);
    expect(answers(indexOf(world), world)).toEqual(cases.map((matrixCase) => matrixCase.expected));
  });

  it('answers alike when events it already holds come again (a resubscription)', () => {
    const world = buildAuthorizationWorld();
    const index = indexOf(world);
    const before = answers(index, world);
    const events = world.streams.flatMap((stream) => stream.events);
    for (const event of events.slice(events.length / 2)) index.apply(event);
    expect(answers(index, world)).toEqual(before);
    expect(index.size()).toMatchObject({ members: 4, apiKeys: 4, resources: 14 });
  });

  it('answers alike when loaded from rows as the read models hold them', () => {
    const world = buildAuthorizationWorld();
    const fromEvents = indexOf(world);
    const keys = world.keys;
    const loaded = new AccessIndex();
    loaded.load({
      members: [
        { organizationId: world.organizationId, userId: world.users.admin, role: 'admin' },
        { organizationId: world.organizationId, userId: world.users.owner, role: 'member' },
        { organizationId: world.organizationId, userId: world.users.otherMember, role: 'member' },
        { organizationId: world.otherOrganizationId, userId: world.users.nonMember, role: 'admin' },
      ],
      apiKeys: Object.values(keys).map((key) => ({
        keyId: key.keyId,
        organizationId: key.organizationId,
        ownerUserId: key.ownerUserId,
        scopes: key.scopes,
        revoked: key === keys.revokedKey,
        expiresAt: null,
      })),
      resources: world.streams.flatMap((stream) =>
        stream.events.flatMap((event) => {
          const decoded = event.type === 'ResourceRegistered' ? resourceEvents.decode(event) : null;
          if (decoded?.type !== 'ResourceRegistered') return [];
          const { data } = decoded;
          return [
            {
              id: data.resourceId,
              organizationId: data.organizationId,
              kind: data.kind,
              ownerUserId: data.ownerUserId,
              visibility: data.visibility,
            },
          ];
        }),
      ),
      policies: [],
    });
    expect(answers(loaded, world)).toEqual(answers(fromEvents, world));
    expect(loaded.size()).toEqual(fromEvents.size());
  });

  it('follows departures, returns, role changes and the deletion of an organization', () => {
    const world = buildAuthorizationWorld();
    const index = indexOf(world);
    const { organizationId } = world;
    const read: AuthorizeRequest = {
      principal: { type: 'user', userId: world.users.otherMember },
      organizationId,
      action: 'read',
      resource: { kind: 'agent', id: world.resources.agent.org },
    };
    const apply = (event: StoredEventShape) => index.apply(event);
    apply(
      organizationEvents.encode({
        type: 'MemberRemoved',
        data: {
          organizationId,
          userId: world.users.otherMember,
          role: 'member',
          removedBy: world.users.admin,
          removedAt: at,
        },
      }),
    );
    expect(index.decide(read, Date.now())).toEqual({
      allowed: false,
      reason: 'not_a_member',
      role: null,
    });
    apply(
      organizationEvents.encode({
        type: 'MemberJoined',
        data: { organizationId, userId: world.users.otherMember, role: 'admin', joinedAt: at },
      }),
    );
    expect(index.decide(read, Date.now())).toEqual({
      allowed: true,
      reason: 'admin',
      role: 'admin',
    });
    apply(
      organizationEvents.encode({
        type: 'OrganizationDeleted',
        data: { organizationId, deletedBy: world.users.admin, deletedAt: at },
      }),
    );
    expect(index.decide(read, Date.now())).toMatchObject({
      allowed: false,
      reason: 'not_a_member',
    });
    expect(index.size()).toMatchObject({ members: 1, resources: 1 });
  });

  it('takes a key as expired from its expiry on, and follows its scopes', () => {
    const world = buildAuthorizationWorld();
    const index = indexOf(world);
    const keyId = newId();
    const expiresAt = Date.now() + 60_000;
    index.apply(
      keyEvents.encode({
        type: 'ApiKeyCreated',
        data: {
          keyId,
          organizationId: world.organizationId,
          ownerUserId: world.users.owner,
          name: 'expiring',
          keyPrefix: 'rt_live_Abcd',
          keyHash: 'a'.repeat(64),
          scopes: ['agent:read'],
          projectId: null,
          isTest: false,
          expiresAt: new Date(expiresAt).toISOString(),
          createdAt: at,
        },
      }),
    );
    const run: AuthorizeRequest = {
      principal: { type: 'apiKey', keyId },
      organizationId: world.organizationId,
      action: 'run',
      resource: { kind: 'agent', id: world.resources.agent.private },
    };
    expect(index.decide(run, expiresAt - 1)).toMatchObject({ reason: 'insufficient_scope' });
    index.apply(
      keyEvents.encode({
        type: 'ApiKeyUpdated',
        data: {
          keyId,
          name: 'expiring',
          scopes: ['agent:run'],
          projectId: null,
          updatedBy: world.users.owner,
          updatedAt: at,
        },
      }),
    );
    expect(index.decide(run, expiresAt - 1)).toEqual({
      allowed: true,
      reason: 'owner',
      role: 'member',
    });
    expect(index.decide(run, expiresAt)).toEqual({
      allowed: false,
      reason: 'unknown_api_key',
      role: null,
    });
  });

  it('shares one answer object per distinct answer', () => {
    const world = buildAuthorizationWorld();
    const index = indexOf(world);
    const all = answers(index, world);
    expect(new Set(all).size).toBeLessThanOrEqual(12);
  });
});
