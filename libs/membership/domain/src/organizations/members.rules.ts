import type { OrganizationEventOfType, OrganizationRole } from '@orgplane/contracts';
import { ServiceError } from '@orgplane/util';
import {
  actingAdmin,
  actingMember,
  existingOrganization,
  memberOf,
  type CommandMetadata,
  type ExistingOrganization,
  type Organization,
} from './organization';

export interface ChangeMemberRole {
  type: 'ChangeMemberRole';
  data: { actorId: string; userId: string; role: OrganizationRole };
  metadata: CommandMetadata;
}

export interface RemoveMember {
  type: 'RemoveMember';
  data: { actorId: string; userId: string };
  metadata: CommandMetadata;
}

export interface LeaveOrganization {
  type: 'LeaveOrganization';
  data: { userId: string };
  metadata: CommandMetadata;
}

/**
 * The identity provider's directory (WorkOS) says what the user's role is, or (`null`) that they
 * no longer belong. It acts on its own authority, so no actor is checked, but the organization
 * still keeps an Admin. Webhooks repeat themselves: a sync that changes nothing records nothing.
 */
export interface SyncMembership {
  type: 'SyncMembership';
  data: { userId: string; role: OrganizationRole | null };
  metadata: CommandMetadata;
}

type MemberRoleChanged = OrganizationEventOfType<'MemberRoleChanged'>;
type MemberRemoved = OrganizationEventOfType<'MemberRemoved'>;

/** Setting the role a member already has changes nothing. */
export function changeMemberRole(
  command: ChangeMemberRole,
  state: Organization,
): MemberRoleChanged[] {
  const { actorId, userId, role } = command.data;
  return roleChange(actingAdmin(state, actorId), userId, role, actorId, command.metadata.now);
}

/** An Admin removes someone else; removing oneself is leaving, which has its own event. */
export function removeMember(command: RemoveMember, state: Organization): MemberRemoved[] {
  const { actorId, userId } = command.data;
  const organization = actingAdmin(state, actorId);
  if (userId === actorId) {
    throw new ServiceError(
      'validation',
      'use_leave',
      'To remove yourself, leave the organization',
      {
        fields: { userId: ['Is you: leave the organization instead'] },
      },
    );
  }
  return removal(organization, userId, actorId, command.metadata.now);
}

export function leaveOrganization(
  command: LeaveOrganization,
  state: Organization,
): OrganizationEventOfType<'MemberLeft'>[] {
  const { userId } = command.data;
  const organization = actingMember(state, userId);
  const member = memberOf(organization, userId);
  keepAnAdmin(organization, userId);
  return [
    {
      type: 'MemberLeft',
      data: {
        organizationId: organization.id,
        userId,
        role: member.role,
        leftAt: command.metadata.now.toISOString(),
      },
    },
  ];
}

export function syncMembership(
  command: SyncMembership,
  state: Organization,
): OrganizationEventOfType<'MemberJoined' | 'MemberRoleChanged' | 'MemberRemoved'>[] {
  const { userId, role } = command.data;
  const { now } = command.metadata;
  const organization = existingOrganization(state);
  const isMember = organization.members.has(userId);
  if (role === null) return isMember ? removal(organization, userId, null, now) : [];
  if (isMember) return roleChange(organization, userId, role, null, now);
  return [
    {
      type: 'MemberJoined',
      data: { organizationId: organization.id, userId, role, joinedAt: now.toISOString() },
    },
  ];
}

/** `changedBy` null: the directory changed it. */
function roleChange(
  organization: ExistingOrganization,
  userId: string,
  role: OrganizationRole,
  changedBy: string | null,
  now: Date,
): MemberRoleChanged[] {
  const member = memberOf(organization, userId);
  if (member.role === role) return [];
  keepAnAdmin(organization, userId);
  return [
    {
      type: 'MemberRoleChanged',
      data: {
        organizationId: organization.id,
        userId,
        role,
        previousRole: member.role,
        changedBy,
        changedAt: now.toISOString(),
      },
    },
  ];
}

/** `removedBy` null: the directory removed them. */
function removal(
  organization: ExistingOrganization,
  userId: string,
  removedBy: string | null,
  now: Date,
): MemberRemoved[] {
  const member = memberOf(organization, userId);
  keepAnAdmin(organization, userId);
  return [
    {
      type: 'MemberRemoved',
      data: {
        organizationId: organization.id,
        userId,
        role: member.role,
        removedBy,
        removedAt: now.toISOString(),
      },
    },
  ];
}

/**
 * Refuses to take away the last Admin's role or membership. Racing requests each decide on the
 * stream as they read it; the append that expects an older revision fails and its command is
 * decided again on the new state, so two of them cannot both remove "one of two" Admins.
 */
function keepAnAdmin(organization: ExistingOrganization, userId: string): void {
  if (organization.members.get(userId)?.role !== 'admin') return;
  const admins = [...organization.members.values()].filter((member) => member.role === 'admin');
  if (admins.length === 1) {
    throw ServiceError.conflict(
      'last_admin',
      'An organization keeps at least one Admin: make another member Admin first',
    );
  }
}
