import { defaultProjectIdOf, type OrganizationHistoryState } from '@orgplane/contracts';
import { apiKeyStatus, issued } from '@orgplane/keys-domain';
import { invitationStatus } from '@orgplane/membership-domain';
import { currentVersion } from '@orgplane/secrets-vault-domain';
import type { OrganizationFold } from './organization-fold';

type State = OrganizationHistoryState;

const byId = <Item extends { id: string }>(items: Item[]): Item[] =>
  items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/**
 * The organization as the fold leaves it, in the API's terms. `now` is the moment's time: what
 * expires with time (invitations, API keys) has the status it had then.
 */
export function historyStateOf(fold: OrganizationFold, now: Date): State {
  return {
    position: fold.position,
    asOf: fold.asOf,
    eventCount: fold.eventCount,
    organization: organizationOf(fold),
    members: membersOf(fold),
    invitations: invitationsOf(fold, now),
    apiKeys: apiKeysOf(fold, now),
    sshKeys: sshKeysOf(fold),
    secrets: secretsOf(fold),
    projects: projectsOf(fold),
    workspaces: workspacesOf(fold),
    resources: resourcesOf(fold),
  };
}

/**
 * Where something its stream puts in `projectId` was then: a deleted project's keys and resources
 * moved to the default project when it was deleted, in the read models only (their streams still
 * name the old project), and history answers as the API did.
 */
function projectOf(fold: OrganizationFold, projectId: string): string;
function projectOf(fold: OrganizationFold, projectId: string | null): string | null;
function projectOf(fold: OrganizationFold, projectId: string | null): string | null {
  if (projectId === null || fold.projects[projectId]?.status !== 'deleted') return projectId;
  return defaultProjectIdOf(fold.organizationId);
}

function organizationOf({ organization, deletedProfile }: OrganizationFold): State['organization'] {
  if (organization.status === 'active') {
    const { id, name, slug, plan, settings, createdAt } = organization;
    return { id, name, slug, plan, status: 'active', settings, createdAt };
  }
  if (organization.status === 'deleted' && deletedProfile) {
    return { id: organization.id, ...deletedProfile, status: 'deleted' };
  }
  return null;
}

function membersOf({ organization }: OrganizationFold): State['members'] {
  if (organization.status !== 'active') return [];
  return [...organization.members]
    .map(([userId, { role, joinedAt }]) => ({ userId, role, joinedAt }))
    .sort((a, b) => (a.userId < b.userId ? -1 : 1));
}

function invitationsOf({ organization }: OrganizationFold, now: Date): State['invitations'] {
  if (organization.status !== 'active') return [];
  return byId(
    [...organization.invitations.values()].map((invitation) => ({
      id: invitation.id,
      email: invitation.email,
      role: invitation.role,
      status: invitationStatus(invitation, now),
      invitedBy: invitation.invitedBy,
      expiresAt: invitation.expiresAt,
      acceptedAt: invitation.acceptedAt,
      revokedAt: invitation.revokedAt,
    })),
  );
}

function apiKeysOf(fold: OrganizationFold, now: Date): State['apiKeys'] {
  return byId(
    Object.values(fold.apiKeys).flatMap((state) => {
      const key = issued(state);
      if (!key) return [];
      const revokedAt = key.status === 'revoked' ? key.revokedAt : null;
      return [
        {
          id: key.id,
          name: key.name,
          keyPrefix: key.keyPrefix,
          ownerUserId: key.ownerUserId,
          scopes: [...key.scopes],
          projectId: projectOf(fold, key.projectId),
          isTest: key.isTest,
          status: apiKeyStatus({ revokedAt, expiresAt: key.expiresAt }, now),
          expiresAt: key.expiresAt,
          revokedAt,
          createdAt: key.createdAt,
        },
      ];
    }),
  );
}

function sshKeysOf(fold: OrganizationFold): State['sshKeys'] {
  return byId(
    Object.values(fold.sshKeys).flatMap((key) =>
      key.status === 'registered'
        ? [
            {
              id: key.id,
              name: key.name,
              ownerUserId: key.ownerUserId,
              fingerprint: key.fingerprint,
              projectId: projectOf(fold, key.projectId),
            },
          ]
        : [],
    ),
  );
}

function secretsOf(fold: OrganizationFold): State['secrets'] {
  return byId(
    Object.values(fold.secrets).flatMap((secret) =>
      secret.status === 'active' || secret.status === 'deleted'
        ? [
            {
              id: secret.id,
              name: secret.name,
              orgWide: secret.ownerUserId === null,
              ownerUserId: secret.ownerUserId,
              category: secret.category,
              scope: secret.scope,
              description: secret.description,
              version: currentVersion(secret).version,
              status: secret.status,
            },
          ]
        : [],
    ),
  );
}

function projectsOf(fold: OrganizationFold): State['projects'] {
  return byId(
    Object.values(fold.projects).flatMap((project) =>
      project.status === 'active'
        ? [
            {
              id: project.id,
              name: project.name,
              color: project.color,
              isDefault: project.isDefault,
            },
          ]
        : [],
    ),
  );
}

function workspacesOf(fold: OrganizationFold): State['workspaces'] {
  return byId(
    Object.values(fold.workspaces).flatMap((workspace) =>
      workspace.status === 'active'
        ? [
            {
              id: workspace.id,
              slug: workspace.slug,
              name: workspace.name,
              isPersonal: workspace.isPersonal,
              ownerUserId: workspace.ownerUserId,
            },
          ]
        : [],
    ),
  );
}

function resourcesOf(fold: OrganizationFold): State['resources'] {
  return byId(
    Object.values(fold.resources).flatMap((resource) =>
      resource.status === 'registered'
        ? [
            {
              id: resource.id,
              kind: resource.kind,
              name: resource.name,
              ownerUserId: resource.ownerUserId,
              projectId: projectOf(fold, resource.projectId),
              visibility: resource.visibility,
              workspaceIds: [...resource.workspaceIds],
            },
          ]
        : [],
    ),
  );
}
