import { randomUUID } from 'node:crypto';
import {
  AUDIT_VOCABULARY,
  AUDITED_EVENT_TYPES,
  describeEvent,
  type ServiceEvent,
  type ServiceEventType,
} from '../src/audit-log/domain/audit-vocabulary';
import {
  chainEntries,
  describeEvents,
  lookupsOf,
  type AuditableEvent,
} from '../src/audit-log/domain/audit-entry';
import { keyHashOf, sealedValue } from '../src/audit-log/testing/service-events.fixture';

const id = () => randomUUID();
const at = '2026-03-01T12:00:00.000Z';
const orgId = id();
const userId = id();
const secretValue = sealedValue();
const keyHash = keyHashOf('the key');
const previousKeyHash = keyHashOf('the previous key');
const publicKey =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ0cPhp7z0eZ5rJ2wYqyq9VJ5vJ8h3nJ8k0Q7H2r1X9a';
const departure = { reason: 'member_removed' as const, eventId: id(), eventType: 'MemberRemoved' };

/**
 * One event of every type of every service. The mapped type makes this list exhaustive too: a new
 * event type fails to compile here until it has a sample, and the tests below then check its entry.
 */
const samples: { [Type in ServiceEventType]: Extract<ServiceEvent, { type: Type }>['data'] } = {
  OrganizationCreated: {
    organizationId: orgId,
    name: 'Acme',
    slug: 'acme',
    plan: 'free',
    createdBy: userId,
    createdAt: at,
  },
  OrganizationRenamed: { organizationId: orgId, name: 'Acme 2', renamedBy: userId, renamedAt: at },
  OrganizationSettingsChanged: {
    organizationId: orgId,
    settings: { membersMayRevealOrgSecrets: true, allowPublicResources: false },
    changedBy: userId,
    changedAt: at,
  },
  OrganizationDeleted: { organizationId: orgId, deletedBy: userId, deletedAt: at },
  MemberJoined: { organizationId: orgId, userId, role: 'member', joinedAt: at, invitationId: id() },
  MemberRoleChanged: {
    organizationId: orgId,
    userId,
    role: 'admin',
    previousRole: 'member',
    changedBy: id(),
    changedAt: at,
  },
  MemberRemoved: { organizationId: orgId, userId, role: 'member', removedBy: id(), removedAt: at },
  MemberLeft: { organizationId: orgId, userId, role: 'member', leftAt: at },
  InvitationCreated: {
    organizationId: orgId,
    invitationId: id(),
    email: 'dana@example.com',
    role: 'admin',
    invitedBy: userId,
    createdAt: at,
    expiresAt: at,
  },
  InvitationResent: {
    organizationId: orgId,
    invitationId: id(),
    resentBy: userId,
    resentAt: at,
    expiresAt: at,
  },
  InvitationRevoked: {
    organizationId: orgId,
    invitationId: id(),
    revokedBy: userId,
    revokedAt: at,
  },
  InvitationAccepted: { organizationId: orgId, invitationId: id(), userId, acceptedAt: at },
  ActiveOrganizationSwitched: { userId, organizationId: orgId, switchedAt: at },
  UserSignedUp: { userId, email: 'dana@example.com', provider: 'development', signedUpAt: at },
  UserProfileUpdated: { userId, email: 'dana@example.com', updatedAt: at },
  ApiKeyCreated: {
    keyId: id(),
    organizationId: orgId,
    ownerUserId: userId,
    name: 'CI',
    keyPrefix: 'rt_live_Ab12',
    keyHash,
    scopes: ['secret:reveal'],
    projectId: id(),
    isTest: false,
    expiresAt: null,
    createdAt: at,
  },
  ApiKeyUpdated: {
    keyId: id(),
    name: 'CI',
    scopes: ['*'],
    projectId: null,
    updatedBy: userId,
    updatedAt: at,
  },
  ApiKeyRotated: {
    keyId: id(),
    keyPrefix: 'rt_live_Cd34',
    keyHash,
    previousKeyHash,
    previousValidUntil: at,
    rotatedBy: userId,
    rotatedAt: at,
  },
  ApiKeyRevoked: { keyId: id(), revokedBy: null, cause: departure, revokedAt: at },
  SshKeyAdded: {
    sshKeyId: id(),
    organizationId: orgId,
    ownerUserId: userId,
    name: 'laptop',
    publicKey,
    keyType: 'ssh-ed25519',
    fingerprint: 'SHA256:abc',
    bits: 256,
    comment: null,
    projectId: null,
    addedAt: at,
  },
  SshKeyDeleted: { sshKeyId: id(), deletedBy: userId, cause: null, deletedAt: at },
  SecretCreated: {
    secretId: id(),
    organizationId: orgId,
    ownerUserId: null,
    name: 'OPENAI_API_KEY',
    category: 'provider',
    scope: 'all',
    description: null,
    version: 1,
    value: secretValue,
    createdBy: userId,
    createdAt: at,
  },
  SecretRotated: {
    secretId: id(),
    category: 'provider',
    scope: 'all',
    description: 'prod',
    version: 2,
    value: sealedValue(),
    retiredVersions: [],
    rotatedBy: userId,
    rotatedAt: at,
  },
  SecretDeleted: { secretId: id(), deletedBy: userId, deletedAt: at },
  SecretUndeleted: { secretId: id(), undeletedBy: userId, undeletedAt: at },
  SecretDestroyed: {
    secretId: id(),
    destroyedVersions: [1, 2],
    destroyedBy: null,
    cause: departure,
    destroyedAt: at,
  },
  SecretRevealed: {
    secretId: id(),
    organizationId: orgId,
    ownerUserId: userId,
    name: 'GITHUB_TOKEN',
    version: 3,
    revealedBy: userId,
    revealedAt: at,
  },
  SecretResolved: {
    secretId: id(),
    organizationId: orgId,
    ownerUserId: userId,
    name: 'GITHUB_TOKEN',
    version: 3,
    forUserId: userId,
    resolver: 'sandboxes',
    usage: 'sandboxes',
    resolvedAt: at,
  },
  DataKeyCreated: { organizationId: orgId, masterKeyId: 'master-1', createdAt: at },
  DataKeyRewrapped: {
    organizationId: orgId,
    fromMasterKeyId: 'master-1',
    toMasterKeyId: 'master-2',
    rewrappedAt: at,
  },
  DataKeyDestroyed: { organizationId: orgId, cause: departure, destroyedAt: at },
  ProjectCreated: {
    projectId: id(),
    organizationId: orgId,
    name: 'Web',
    color: '#336699',
    isDefault: false,
    createdBy: userId,
    createdAt: at,
  },
  ProjectUpdated: { projectId: id(), name: 'Web', color: null, updatedBy: userId, updatedAt: at },
  ProjectDeleted: {
    projectId: id(),
    organizationId: orgId,
    defaultProjectId: id(),
    deletedBy: userId,
    deletedAt: at,
  },
  WorkspaceCreated: {
    workspaceId: id(),
    organizationId: orgId,
    name: 'Data',
    slug: 'data',
    isPersonal: false,
    ownerUserId: userId,
    quotaBytes: 1024,
    createdBy: userId,
    createdAt: at,
  },
  WorkspaceUpdated: {
    workspaceId: id(),
    name: 'Data',
    quotaBytes: 2048,
    updatedBy: userId,
    updatedAt: at,
  },
  WorkspaceDeleted: {
    workspaceId: id(),
    organizationId: orgId,
    detachedFrom: [id()],
    deletedBy: userId,
    deletedAt: at,
  },
  ResourceRegistered: {
    resourceId: id(),
    organizationId: orgId,
    kind: 'agent',
    name: 'triage',
    ownerUserId: userId,
    projectId: id(),
    visibility: 'private',
    workspaceIds: [id()],
    registeredBy: 'agents',
    registeredAt: at,
  },
  ResourceUpdated: {
    resourceId: id(),
    name: 'triage',
    projectId: id(),
    workspaceIds: [],
    updatedBy: userId,
    updatedByService: null,
    updatedAt: at,
  },
  ResourceVisibilityChanged: {
    resourceId: id(),
    visibility: 'org',
    previousVisibility: 'private',
    changedBy: userId,
    changedAt: at,
  },
  ResourceOwnerChanged: {
    resourceId: id(),
    ownerUserId: id(),
    previousOwnerUserId: userId,
    cause: departure,
    changedAt: at,
  },
  ResourceRemoved: { resourceId: id(), removedBy: userId, removedByService: null, removedAt: at },
};

const sampleTypes = Object.keys(samples) as ServiceEventType[];
const describeSample = (type: ServiceEventType) => describeEvent(type, samples[type]);

/** What no entry may ever hold, in any field. */
const secretMaterial = [
  secretValue.ciphertext,
  secretValue.nonce,
  secretValue.tag,
  secretValue.keyId,
  keyHash,
  previousKeyHash,
  publicKey,
];

describe('the audit vocabulary', () => {
  it('gives every event type of every service an action, except identity’s, which carry no organization', () => {
    expect(Object.keys(AUDIT_VOCABULARY).sort()).toEqual([...sampleTypes].sort());
    expect(sampleTypes.filter((type) => AUDIT_VOCABULARY[type] === null).sort()).toEqual([
      'UserProfileUpdated',
      'UserSignedUp',
    ]);
    expect(AUDITED_EVENT_TYPES).toHaveLength(sampleTypes.length - 2);
  });

  it('spells actions as stable dotted names, one per event type', () => {
    const actions = AUDITED_EVENT_TYPES.map((type) => AUDIT_VOCABULARY[type]!.action);
    expect(new Set(actions).size).toBe(actions.length);
    for (const action of actions) expect(action).toMatch(/^[a-z_]+\.[a-z_]+$/);
  });

  it.each(AUDITED_EVENT_TYPES)('%s: names its target and copies no secret material', (type) => {
    const description = describeSample(type)!;
    expect(description.target.id).toEqual(expect.any(String));
    expect(description.target.id.length).toBeGreaterThan(0);
    const text = JSON.stringify(description);
    for (const material of secretMaterial) expect(text).not.toContain(material);
    expect(text).not.toMatch(/ciphertext|keyHash|publicKey/);
  });

  it('maps representative events to what an auditor reads', () => {
    expect(describeSample('MemberRoleChanged')).toEqual({
      action: 'member.role_changed',
      target: { type: 'member', id: userId, name: null },
      otherTargets: [],
      attributes: { previousRole: 'member', role: 'admin' },
    });
    expect(describeSample('InvitationCreated')).toMatchObject({
      action: 'invitation.created',
      target: { type: 'invitation', name: 'dana@example.com' },
      attributes: { email: 'dana@example.com', role: 'admin' },
    });
    expect(describeSample('ApiKeyCreated')).toMatchObject({
      action: 'api_key.created',
      target: { type: 'api_key', name: 'CI' },
      otherTargets: [{ type: 'member', id: userId }, { type: 'project' }],
      attributes: { scopes: ['secret:reveal'], keyPrefix: 'rt_live_Ab12' },
    });
    expect(describeSample('SecretCreated')).toMatchObject({
      action: 'secret.created',
      target: { type: 'secret', name: 'OPENAI_API_KEY' },
      attributes: { orgWide: true, category: 'provider', scope: 'all', version: 1 },
    });
    expect(describeSample('SecretRevealed')).toMatchObject({
      action: 'secret.revealed',
      attributes: { name: 'GITHUB_TOKEN', version: 3, orgWide: false },
    });
    expect(describeSample('ResourceVisibilityChanged')).toMatchObject({
      action: 'resource.published',
      attributes: { previousVisibility: 'private', visibility: 'org' },
    });
    expect(describeSample('ApiKeyRevoked')?.attributes).toEqual({ reason: 'member_removed' });
    expect(describeEvent('SomethingNew', {})).toBeNull();
  });
});

describe('audit entries', () => {
  const adminId = id();
  const keyId = id();
  const event = (
    type: ServiceEventType,
    metadata: Partial<AuditableEvent['metadata']> = {},
  ): AuditableEvent => ({
    id: id(),
    type,
    data: samples[type],
    metadata: {
      orgId,
      actor: { type: 'user', id: adminId },
      requestId: 'req_one',
      correlationId: 'req_one',
      causationId: 'req_one',
      ...metadata,
    },
    createdAt: new Date(at),
    position: '100:1',
  });

  it('names the actor, the request, the client and, for a consequence, the entry it follows from', () => {
    const removal = event('MemberRemoved', { ip: '203.0.113.7', userAgent: 'curl/8.5.0' });
    const revocation = event('ApiKeyRevoked', {
      actor: { type: 'system', id: 'keys.member-removal' },
      causationId: removal.id,
    });
    const reveal = event('SecretRevealed', { actor: { type: 'api_key', id: keyId, userId } });
    const signUp = event('UserSignedUp', { orgId: null });

    const batch = describeEvents([removal, signUp, revocation, reveal]);
    expect(lookupsOf(batch)).toEqual({ orgIds: [orgId], causationIds: [] });
    const { entries, heads } = chainEntries(batch, new Map(), new Map());

    expect(entries.map((entry) => [entry.sequence, entry.eventType])).toEqual([
      [1, 'member.removed'],
      [2, 'api_key.revoked'],
      [3, 'secret.revealed'],
    ]);
    expect(entries[0]).toMatchObject({
      id: removal.id,
      orgId,
      actorType: 'user',
      actorUserId: adminId,
      actorApiKeyId: null,
      resourceType: 'member',
      resourceId: userId,
      requestId: 'req_one',
      ip: '203.0.113.7',
      userAgent: 'curl/8.5.0',
      cause: null,
      createdAt: at,
      position: '100:1',
    });
    expect(entries[1]).toMatchObject({
      actorType: 'system',
      actorSystemId: 'keys.member-removal',
      actorUserId: null,
      ip: null,
      cause: { entryId: removal.id, action: 'member.removed' },
    });
    expect(entries[2]).toMatchObject({
      actorType: 'api_key',
      actorApiKeyId: keyId,
      actorUserId: userId,
    });
    expect(heads.get(orgId)).toEqual({ sequence: 3, hash: entries[2].hash, entryId: reveal.id });
  });

  it('finds a cause logged in an earlier batch, but only in the same organization', () => {
    const removalId = id();
    const consequence = (otherOrg: boolean) =>
      event('SecretDestroyed', {
        actor: { type: 'system', id: 'secrets-vault.member-removal' },
        causationId: removalId,
        ...(otherOrg ? { orgId: id() } : {}),
      });
    const batch = describeEvents([consequence(false), consequence(true)]);
    expect(lookupsOf(batch).causationIds).toEqual([removalId]);
    const { entries } = chainEntries(
      batch,
      new Map(),
      new Map([[removalId, { orgId, action: 'member.removed' }]]),
    );
    expect(entries.map((entry) => entry.cause)).toEqual([
      { entryId: removalId, action: 'member.removed' },
      null,
    ]);
  });

  it('continues each organization’s chain from its head', () => {
    const head = { sequence: 41, hash: 'f'.repeat(64), entryId: id() };
    const { entries } = chainEntries(
      describeEvents([event('ProjectCreated'), event('ProjectUpdated')]),
      new Map([[orgId, head]]),
      new Map(),
    );
    expect(entries.map(({ sequence, previousHash }) => [sequence, previousHash])).toEqual([
      [42, head.hash],
      [43, entries[0].hash],
    ]);
  });
});
