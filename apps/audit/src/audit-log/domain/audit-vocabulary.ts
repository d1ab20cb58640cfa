import type {
  AuditTarget,
  KeyEvent,
  MemberPreferenceEvent,
  OrganizationEvent,
  ResourceEvent,
  SecretEvent,
  UserEvent,
} from '@orgplane/contracts';

/** Every event a service stores, as its catalog in the contracts describes it. */
export type ServiceEvent =
  OrganizationEvent | MemberPreferenceEvent | UserEvent | KeyEvent | SecretEvent | ResourceEvent;
export type ServiceEventType = ServiceEvent['type'];
type DataOf<Type extends ServiceEventType> = Extract<ServiceEvent, { type: Type }>['data'];

/** A target as entries store it: `name` always present, null when the event names none. */
export type EntryTarget = AuditTarget & { name: string | null };

/** What an event means to someone reading the log. */
export interface AuditDescription {
  target: EntryTarget;
  otherTargets: EntryTarget[];
  /**
   * Facts worth reading, chosen field by field: never a ciphertext, a wrapped key, a key hash, a
   * secret's value or an API key's secret.
   */
  attributes: Record<string, unknown>;
}

interface AuditAction<Data> {
  /** stable dotted name: `<target type>.<past tense>` */
  action: string;
  describe(data: Data): AuditDescription;
}

/**
 * One entry per event type of every service; the mapped type makes a new event type a compile
 * error until it is given an action here (or `null`, with a reason).
 */
type AuditVocabulary = {
  [Type in ServiceEventType]: AuditAction<DataOf<Type>> | null;
};

/** Keys in canonical (sorted) order: the hash then need not sort them (see canonicalJson). */
const target = (type: string, id: string, name: string | null = null): EntryTarget => ({
  id,
  name,
  type,
});
const organization = (id: string, name: string | null = null) => target('organization', id, name);
const member = (userId: string) => target('member', userId);
const invitation = (id: string, email: string | null = null) => target('invitation', id, email);
const apiKey = (id: string, name: string | null = null) => target('api_key', id, name);
const sshKey = (id: string, name: string | null = null) => target('ssh_key', id, name);
const secret = (id: string, name: string | null = null) => target('secret', id, name);
const project = (id: string, name: string | null = null) => target('project', id, name);
const workspace = (id: string, name: string | null = null) => target('workspace', id, name);
/** Sandboxes, agents, workflows and tools alike: only registration says which kind (`kind`). */
const resource = (id: string, name: string | null = null) => target('resource', id, name);

const optional = <Value>(value: Value | null | undefined, make: (value: Value) => EntryTarget) =>
  value === null || value === undefined ? [] : [make(value)];

function describe(
  main: EntryTarget,
  attributes: Record<string, unknown> = {},
  otherTargets: EntryTarget[] = [],
): AuditDescription {
  return { target: main, otherTargets, attributes };
}

/** The departure a reaction answered, when one did (the entry's `cause` points at it too). */
const reasonOf = (cause: { reason: string } | null) => ({ reason: cause?.reason ?? null });

export const AUDIT_VOCABULARY: AuditVocabulary = {
  // --- membership: the organization, its members and invitations ---
  OrganizationCreated: {
    action: 'organization.created',
    describe: ({ organizationId, name, slug, plan }) =>
      describe(organization(organizationId, name), { name, slug, plan }),
  },
  OrganizationRenamed: {
    action: 'organization.renamed',
    describe: ({ organizationId, name }) => describe(organization(organizationId, name), { name }),
  },
  OrganizationSettingsChanged: {
    action: 'organization.settings_changed',
    describe: ({ organizationId, settings }) =>
      describe(organization(organizationId), { settings }),
  },
  OrganizationDeleted: {
    action: 'organization.deleted',
    describe: ({ organizationId }) => describe(organization(organizationId)),
  },
  MemberJoined: {
    action: 'member.joined',
    describe: ({ userId, role, invitationId }) =>
      describe(
        member(userId),
        { role, invitationId: invitationId ?? null },
        optional(invitationId, (id) => invitation(id)),
      ),
  },
  MemberRoleChanged: {
    action: 'member.role_changed',
    describe: ({ userId, role, previousRole }) => describe(member(userId), { previousRole, role }),
  },
  MemberRemoved: {
    action: 'member.removed',
    describe: ({ userId, role }) => describe(member(userId), { role }),
  },
  MemberLeft: {
    action: 'member.left',
    describe: ({ userId, role }) => describe(member(userId), { role }),
  },
  InvitationCreated: {
    action: 'invitation.created',
    describe: ({ invitationId, email, role, expiresAt }) =>
      describe(invitation(invitationId, email), { email, role, expiresAt }),
  },
  InvitationResent: {
    action: 'invitation.resent',
    describe: ({ invitationId, expiresAt }) => describe(invitation(invitationId), { expiresAt }),
  },
  InvitationRevoked: {
    action: 'invitation.revoked',
    describe: ({ invitationId }) => describe(invitation(invitationId)),
  },
  InvitationAccepted: {
    action: 'invitation.accepted',
    describe: ({ invitationId, userId }) =>
      describe(invitation(invitationId), { userId }, [member(userId)]),
  },
  // A user's own preference, recorded in the organization switched to (its `metadata.orgId`).
  ActiveOrganizationSwitched: {
    action: 'member.active_organization_switched',
    describe: ({ userId, organizationId }) =>
      describe(member(userId), { organizationId }, [organization(organizationId)]),
  },
  // --- identity: a user's sign-up and profile belong to no organization (`metadata.orgId` is
  // null), so they make no audit entry; the organization-side facts (joining) do. ---
  UserSignedUp: null,
  UserProfileUpdated: null,
  // --- keys: API keys and SSH keys; key hashes and public key material stay out ---
  ApiKeyCreated: {
    action: 'api_key.created',
    describe: ({ keyId, name, keyPrefix, ownerUserId, scopes, projectId, isTest, expiresAt }) =>
      describe(
        apiKey(keyId, name),
        { name, keyPrefix, ownerUserId, scopes, projectId, isTest, expiresAt },
        [member(ownerUserId), ...optional(projectId, (id) => project(id))],
      ),
  },
  ApiKeyUpdated: {
    action: 'api_key.updated',
    describe: ({ keyId, name, scopes, projectId }) =>
      describe(
        apiKey(keyId, name),
        { name, scopes, projectId },
        optional(projectId, (id) => project(id)),
      ),
  },
  ApiKeyRotated: {
    action: 'api_key.rotated',
    describe: ({ keyId, keyPrefix, previousValidUntil }) =>
      describe(apiKey(keyId), { keyPrefix, previousValidUntil }),
  },
  ApiKeyRevoked: {
    action: 'api_key.revoked',
    describe: ({ keyId, cause }) => describe(apiKey(keyId), reasonOf(cause)),
  },
  SshKeyAdded: {
    action: 'ssh_key.added',
    describe: ({ sshKeyId, name, ownerUserId, keyType, fingerprint, bits, comment, projectId }) =>
      describe(
        sshKey(sshKeyId, name),
        { name, ownerUserId, keyType, fingerprint, bits, comment, projectId },
        [member(ownerUserId), ...optional(projectId, (id) => project(id))],
      ),
  },
  SshKeyDeleted: {
    action: 'ssh_key.deleted',
    describe: ({ sshKeyId, cause }) => describe(sshKey(sshKeyId), reasonOf(cause)),
  },
  // --- secrets: settings, versions and who saw or used a value; never the sealed value ---
  SecretCreated: {
    action: 'secret.created',
    describe: ({ secretId, name, ownerUserId, category, scope, description, version }) =>
      describe(
        secret(secretId, name),
        { name, orgWide: ownerUserId === null, ownerUserId, category, scope, description, version },
        optional(ownerUserId, member),
      ),
  },
  SecretRotated: {
    action: 'secret.rotated',
    describe: ({ secretId, category, scope, description, version, retiredVersions }) =>
      describe(secret(secretId), { category, scope, description, version, retiredVersions }),
  },
  SecretDeleted: {
    action: 'secret.deleted',
    describe: ({ secretId }) => describe(secret(secretId)),
  },
  SecretUndeleted: {
    action: 'secret.undeleted',
    describe: ({ secretId }) => describe(secret(secretId)),
  },
  SecretDestroyed: {
    action: 'secret.destroyed',
    describe: ({ secretId, destroyedVersions, cause }) =>
      describe(secret(secretId), { destroyedVersions, ...reasonOf(cause) }),
  },
  SecretRevealed: {
    action: 'secret.revealed',
    describe: ({ secretId, name, ownerUserId, version }) =>
      describe(secret(secretId, name), {
        name,
        orgWide: ownerUserId === null,
        ownerUserId,
        version,
      }),
  },
  SecretResolved: {
    action: 'secret.resolved',
    describe: ({ secretId, name, ownerUserId, version, forUserId, resolver, usage }) =>
      describe(
        secret(secretId, name),
        { name, orgWide: ownerUserId === null, version, forUserId, resolver, usage },
        [member(forUserId)],
      ),
  },
  DataKeyCreated: {
    action: 'data_key.created',
    describe: ({ organizationId, masterKeyId }) =>
      describe(target('data_key', organizationId), { masterKeyId }),
  },
  DataKeyRewrapped: {
    action: 'data_key.rewrapped',
    describe: ({ organizationId, fromMasterKeyId, toMasterKeyId }) =>
      describe(target('data_key', organizationId), { fromMasterKeyId, toMasterKeyId }),
  },
  DataKeyDestroyed: {
    action: 'data_key.destroyed',
    describe: ({ organizationId, cause }) =>
      describe(target('data_key', organizationId), reasonOf(cause)),
  },
  // --- resources: projects, workspaces and the registry ---
  ProjectCreated: {
    action: 'project.created',
    describe: ({ projectId, name, color, isDefault }) =>
      describe(project(projectId, name), { name, color, isDefault }),
  },
  ProjectUpdated: {
    action: 'project.updated',
    describe: ({ projectId, name, color }) => describe(project(projectId, name), { name, color }),
  },
  ProjectDeleted: {
    action: 'project.deleted',
    describe: ({ projectId, defaultProjectId }) =>
      describe(project(projectId), { defaultProjectId }, [project(defaultProjectId)]),
  },
  WorkspaceCreated: {
    action: 'workspace.created',
    describe: ({ workspaceId, name, slug, isPersonal, ownerUserId, quotaBytes }) =>
      describe(workspace(workspaceId, name), { name, slug, isPersonal, ownerUserId, quotaBytes }, [
        member(ownerUserId),
      ]),
  },
  WorkspaceUpdated: {
    action: 'workspace.updated',
    describe: ({ workspaceId, name, quotaBytes }) =>
      describe(workspace(workspaceId, name), { name, quotaBytes }),
  },
  WorkspaceDeleted: {
    action: 'workspace.deleted',
    describe: ({ workspaceId, detachedFrom }) =>
      describe(
        workspace(workspaceId),
        { detachedFrom },
        detachedFrom.map((id) => resource(id)),
      ),
  },
  ResourceRegistered: {
    action: 'resource.registered',
    describe: ({
      resourceId,
      kind,
      name,
      ownerUserId,
      projectId,
      visibility,
      workspaceIds,
      registeredBy,
    }) =>
      describe(
        resource(resourceId, name),
        { kind, name, ownerUserId, projectId, visibility, workspaceIds, registeredBy },
        [member(ownerUserId), project(projectId), ...workspaceIds.map((id) => workspace(id))],
      ),
  },
  ResourceUpdated: {
    action: 'resource.updated',
    describe: ({ resourceId, name, projectId, workspaceIds, updatedByService }) =>
      describe(resource(resourceId, name), { name, projectId, workspaceIds, updatedByService }, [
        project(projectId),
        ...workspaceIds.map((id) => workspace(id)),
      ]),
  },
  // "publish" is the resource action for any change of visibility (see RESOURCE_ACTIONS).
  ResourceVisibilityChanged: {
    action: 'resource.published',
    describe: ({ resourceId, visibility, previousVisibility }) =>
      describe(resource(resourceId), { previousVisibility, visibility }),
  },
  ResourceOwnerChanged: {
    action: 'resource.owner_changed',
    describe: ({ resourceId, ownerUserId, previousOwnerUserId, cause }) =>
      describe(resource(resourceId), { previousOwnerUserId, ownerUserId, ...reasonOf(cause) }, [
        member(previousOwnerUserId),
        member(ownerUserId),
      ]),
  },
  ResourceRemoved: {
    action: 'resource.removed',
    describe: ({ resourceId, removedByService }) =>
      describe(resource(resourceId), { removedByService }),
  },
};

/** The event types that make audit entries: the projection's filter. */
export const AUDITED_EVENT_TYPES = (Object.keys(AUDIT_VOCABULARY) as ServiceEventType[]).filter(
  (type) => AUDIT_VOCABULARY[type] !== null,
);

/** The action and description of an event, or null when its type makes no entry or is unknown. */
export function describeEvent(
  type: string,
  data: unknown,
): ({ action: string } & AuditDescription) | null {
  const entry = Object.hasOwn(AUDIT_VOCABULARY, type)
    ? (AUDIT_VOCABULARY[type as ServiceEventType] as AuditAction<unknown> | null)
    : null;
  if (!entry) return null;
  return { action: entry.action, ...entry.describe(data) };
}
