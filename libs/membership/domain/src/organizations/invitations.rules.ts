import {
  INVITATION_LIFETIME_DAYS,
  type InvitationStatus,
  type OrganizationEventOfType,
  type OrganizationRole,
} from '@orgplane/contracts';
import { ServiceError } from '@orgplane/util';
import {
  actingAdmin,
  type CommandMetadata,
  type ExistingOrganization,
  type Invitation,
  type Organization,
} from './organization';

export interface CreateInvitation {
  type: 'CreateInvitation';
  data: {
    actorId: string;
    invitationId: string;
    email: string;
    role: OrganizationRole;
    /** default INVITATION_LIFETIME_DAYS.default */
    expiresInDays?: number;
    /** the users known to have this email (the organization stream knows no emails) */
    usersWithEmail: readonly string[];
  };
  metadata: CommandMetadata;
}

export interface RevokeInvitation {
  type: 'RevokeInvitation';
  data: { actorId: string; invitationId: string };
  metadata: CommandMetadata;
}

export interface ResendInvitation {
  type: 'ResendInvitation';
  data: { actorId: string; invitationId: string; expiresInDays?: number };
  metadata: CommandMetadata;
}

export interface AcceptInvitation {
  type: 'AcceptInvitation';
  data: {
    invitationId: string;
    userId: string;
    /** the user's email as the identity provider reports it; null when no profile is known */
    email: string | null;
    emailVerified: boolean;
  };
  metadata: CommandMetadata;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Only acceptance and revocation are recorded; expiry is a matter of the clock. */
export function invitationStatus(
  invitation: Pick<Invitation, 'expiresAt' | 'acceptedAt' | 'revokedAt'>,
  now: Date,
): InvitationStatus {
  if (invitation.acceptedAt) return 'accepted';
  if (invitation.revokedAt) return 'revoked';
  return now.getTime() >= Date.parse(invitation.expiresAt) ? 'expired' : 'pending';
}

export function createInvitation(
  command: CreateInvitation,
  state: Organization,
): OrganizationEventOfType<'InvitationCreated'>[] {
  const { actorId, invitationId, role, expiresInDays, usersWithEmail } = command.data;
  const { now } = command.metadata;
  const organization = actingAdmin(state, actorId);
  const email = normalizeEmail(command.data.email);
  if (usersWithEmail.some((userId) => organization.members.has(userId))) {
    throw ServiceError.conflict('already_member', 'Someone with this email is already a member');
  }
  refuseSecondPendingInvitation(organization, email, now);
  return [
    {
      type: 'InvitationCreated',
      data: {
        organizationId: organization.id,
        invitationId,
        email,
        role,
        invitedBy: actorId,
        createdAt: now.toISOString(),
        expiresAt: expiryAfter(now, expiresInDays),
      },
    },
  ];
}

export function revokeInvitation(
  command: RevokeInvitation,
  state: Organization,
): OrganizationEventOfType<'InvitationRevoked'>[] {
  const { actorId, invitationId } = command.data;
  const { now } = command.metadata;
  const organization = actingAdmin(state, actorId);
  const invitation = invitationOf(organization, invitationId);
  if (invitationStatus(invitation, now) !== 'pending') throw notPending();
  return [
    {
      type: 'InvitationRevoked',
      data: {
        organizationId: organization.id,
        invitationId,
        revokedBy: actorId,
        revokedAt: now.toISOString(),
      },
    },
  ];
}

/** Pending or expired invitations start a fresh lifetime; accepted and revoked ones are done. */
export function resendInvitation(
  command: ResendInvitation,
  state: Organization,
): OrganizationEventOfType<'InvitationResent'>[] {
  const { actorId, invitationId, expiresInDays } = command.data;
  const { now } = command.metadata;
  const organization = actingAdmin(state, actorId);
  const invitation = invitationOf(organization, invitationId);
  const status = invitationStatus(invitation, now);
  if (status === 'accepted' || status === 'revoked') throw notPending();
  // An expired invitation coming back to life must not make two pending ones for one email.
  if (status === 'expired') refuseSecondPendingInvitation(organization, invitation.email, now);
  return [
    {
      type: 'InvitationResent',
      data: {
        organizationId: organization.id,
        invitationId,
        resentBy: actorId,
        resentAt: now.toISOString(),
        expiresAt: expiryAfter(now, expiresInDays),
      },
    },
  ];
}

/**
 * Only the addressee accepts: the caller's email, verified by the identity provider, must be the
 * invitation's. Whose invitation it is gets checked before its status, so a stranger learns
 * nothing about it.
 */
export function acceptInvitation(
  command: AcceptInvitation,
  state: Organization,
): OrganizationEventOfType<'InvitationAccepted' | 'MemberJoined'>[] {
  const { invitationId, userId, email, emailVerified } = command.data;
  const { now } = command.metadata;
  if (state.status !== 'active') throw ServiceError.notFound('Invitation');
  const invitation = invitationOf(state, invitationId);
  if (!email || !emailVerified) {
    throw new ServiceError(
      'forbidden',
      'email_not_verified',
      'Verify your email address before accepting an invitation',
    );
  }
  if (normalizeEmail(email) !== invitation.email) {
    throw new ServiceError(
      'forbidden',
      'email_mismatch',
      'This invitation is addressed to another email address',
    );
  }
  const status = invitationStatus(invitation, now);
  if (status === 'expired') {
    throw ServiceError.conflict('invitation_expired', 'This invitation has expired');
  }
  if (status !== 'pending') throw notPending();
  if (state.members.has(userId)) {
    throw ServiceError.conflict('already_member', 'You are already a member');
  }
  const at = now.toISOString();
  return [
    {
      type: 'InvitationAccepted',
      data: { organizationId: state.id, invitationId, userId, acceptedAt: at },
    },
    {
      type: 'MemberJoined',
      data: {
        organizationId: state.id,
        userId,
        role: invitation.role,
        joinedAt: at,
        invitationId,
      },
    },
  ];
}

function invitationOf(organization: ExistingOrganization, invitationId: string): Invitation {
  const invitation = organization.invitations.get(invitationId);
  if (!invitation) throw ServiceError.notFound('Invitation');
  return invitation;
}

function refuseSecondPendingInvitation(
  organization: ExistingOrganization,
  email: string,
  now: Date,
): void {
  for (const invitation of organization.invitations.values()) {
    if (invitation.email === email && invitationStatus(invitation, now) === 'pending') {
      throw ServiceError.conflict(
        'invitation_pending',
        'This email already has a pending invitation: resend it instead',
      );
    }
  }
}

function expiryAfter(now: Date, days: number = INVITATION_LIFETIME_DAYS.default): string {
  return new Date(now.getTime() + days * DAY_MS).toISOString();
}

function notPending(): ServiceError {
  return ServiceError.conflict('invitation_not_pending', 'This invitation is no longer pending');
}
