import {
  DEFAULT_ORGANIZATION_SETTINGS,
  type OrganizationEvent,
  type OrganizationPlan,
  type OrganizationRole,
  type OrganizationSettings,
} from '@orgplane/contracts';
import { ServiceError } from '@orgplane/util';

export interface Member {
  role: OrganizationRole;
  joinedAt: string;
}

export interface Invitation {
  id: string;
  /** lowercased */
  email: string;
  role: OrganizationRole;
  invitedBy: string;
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
  revokedAt: string | null;
}

export interface ExistingOrganization {
  status: 'active';
  id: string;
  name: string;
  slug: string;
  plan: OrganizationPlan;
  settings: OrganizationSettings;
  createdAt: string;
  /** by user id */
  members: ReadonlyMap<string, Member>;
  /** by invitation id, whatever their status */
  invitations: ReadonlyMap<string, Invitation>;
}

export type Organization =
  | { status: 'nonexistent' }
  | ExistingOrganization
  /** `formerMembers`: the users whose access the deletion ended */
  | { status: 'deleted'; id: string; formerMembers: readonly string[] };

/** Every command of the organization stream takes its time from here, never from a clock. */
export interface CommandMetadata {
  now: Date;
}

export function initialState(): Organization {
  return { status: 'nonexistent' };
}

/** A deleted organization and one that never existed look the same from outside. */
export function existingOrganization(state: Organization): ExistingOrganization {
  if (state.status !== 'active') throw ServiceError.notFound('Organization');
  return state;
}

/**
 * The acting user's membership as the organization's own state records it: the gateway checked
 * its cached copy, which can be a few milliseconds stale. A non-member learns nothing, not even
 * that the organization exists.
 */
export function actingMember(state: Organization, actorId: string): ExistingOrganization {
  const organization = existingOrganization(state);
  if (!organization.members.has(actorId)) throw ServiceError.notFound('Organization');
  return organization;
}

export function actingAdmin(state: Organization, actorId: string): ExistingOrganization {
  const organization = actingMember(state, actorId);
  if (organization.members.get(actorId)?.role !== 'admin') throw adminRequired();
  return organization;
}

export function memberOf(organization: ExistingOrganization, userId: string): Member {
  const member = organization.members.get(userId);
  if (!member) throw ServiceError.notFound('Member');
  return member;
}

export function adminRequired(): ServiceError {
  return new ServiceError(
    'forbidden',
    'admin_required',
    'Only an Admin of the organization may do this',
  );
}

export function evolve(state: Organization, event: OrganizationEvent): Organization {
  if (event.type === 'OrganizationCreated') {
    const { organizationId, name, slug, plan, createdAt } = event.data;
    return {
      status: 'active',
      id: organizationId,
      name,
      slug,
      plan,
      settings: DEFAULT_ORGANIZATION_SETTINGS,
      createdAt,
      members: new Map(),
      invitations: new Map(),
    };
  }
  if (state.status !== 'active') return state;
  switch (event.type) {
    case 'OrganizationRenamed':
      return { ...state, name: event.data.name };
    case 'OrganizationSettingsChanged':
      return { ...state, settings: event.data.settings };
    case 'OrganizationDeleted':
      return { status: 'deleted', id: state.id, formerMembers: [...state.members.keys()] };
    case 'MemberJoined': {
      const { userId, role, joinedAt } = event.data;
      return { ...state, members: new Map(state.members).set(userId, { role, joinedAt }) };
    }
    case 'MemberRoleChanged': {
      const { userId, role } = event.data;
      return withMember(state, userId, (member) => ({ ...member, role }));
    }
    case 'MemberRemoved':
    case 'MemberLeft': {
      const members = new Map(state.members);
      members.delete(event.data.userId);
      return { ...state, members };
    }
    case 'InvitationCreated': {
      const { invitationId, email, role, invitedBy, createdAt, expiresAt } = event.data;
      const invitation: Invitation = {
        id: invitationId,
        email,
        role,
        invitedBy,
        createdAt,
        expiresAt,
        acceptedAt: null,
        revokedAt: null,
      };
      return { ...state, invitations: new Map(state.invitations).set(invitationId, invitation) };
    }
    case 'InvitationResent':
      return withInvitation(state, event.data.invitationId, { expiresAt: event.data.expiresAt });
    case 'InvitationRevoked':
      return withInvitation(state, event.data.invitationId, { revokedAt: event.data.revokedAt });
    case 'InvitationAccepted':
      return withInvitation(state, event.data.invitationId, { acceptedAt: event.data.acceptedAt });
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

function withMember(
  state: ExistingOrganization,
  userId: string,
  change: (member: Member) => Member,
): ExistingOrganization {
  const member = state.members.get(userId);
  if (!member) return state;
  return { ...state, members: new Map(state.members).set(userId, change(member)) };
}

function withInvitation(
  state: ExistingOrganization,
  invitationId: string,
  change: Partial<Invitation>,
): ExistingOrganization {
  const invitation = state.invitations.get(invitationId);
  if (!invitation) return state;
  return {
    ...state,
    invitations: new Map(state.invitations).set(invitationId, { ...invitation, ...change }),
  };
}

/**
 * The users whose memberships these events changed, given the state they led to: gateways forget
 * what they cached about them.
 */
export function usersWhoseAccessChanged(
  events: readonly OrganizationEvent[],
  after: Organization,
): string[] {
  const users = events.flatMap((event) => {
    switch (event.type) {
      case 'MemberJoined':
      case 'MemberRoleChanged':
      case 'MemberRemoved':
      case 'MemberLeft':
        return [event.data.userId];
      case 'OrganizationDeleted':
        return after.status === 'deleted' ? after.formerMembers : [];
      default:
        return [];
    }
  });
  return [...new Set(users)];
}
