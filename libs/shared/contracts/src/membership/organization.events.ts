import { z } from 'zod';
import { ORGANIZATION_ROLES } from '../common/roles';
import { defineEventCatalog, type EventOf } from '../events';
import { ORGANIZATION_PLANS, organizationSettingsSchema } from './organization.messages';

/**
 * Stream of one organization, its members and its invitations: `organization-<organizationId>`.
 * Everything the "at least one Admin" rule depends on lives in this one stream, so optimistic
 * concurrency on it is what keeps two racing demotions from both succeeding.
 */
export function organizationStreamName(organizationId: string): string {
  return `organization-${organizationId}`;
}

const organizationId = z.uuid();
const at = z.iso.datetime();

const organizationEventDefinitions = {
  OrganizationCreated: {
    schemaVersion: 1,
    data: z.strictObject({
      organizationId,
      name: z.string().min(1).max(100),
      slug: z.string().min(1),
      plan: z.enum(ORGANIZATION_PLANS),
      createdBy: z.uuid(),
      createdAt: at,
    }),
  },
  OrganizationRenamed: {
    schemaVersion: 1,
    data: z.strictObject({
      organizationId,
      name: z.string().min(1).max(100),
      renamedBy: z.uuid(),
      renamedAt: at,
    }),
  },
  /** carries the whole new settings object, so a reader never merges partial updates */
  OrganizationSettingsChanged: {
    schemaVersion: 1,
    data: z.strictObject({
      organizationId,
      settings: organizationSettingsSchema,
      changedBy: z.uuid(),
      changedAt: at,
    }),
  },
  OrganizationDeleted: {
    schemaVersion: 1,
    data: z.strictObject({ organizationId, deletedBy: z.uuid(), deletedAt: at }),
  },
  MemberJoined: {
    schemaVersion: 1,
    data: z.strictObject({
      organizationId,
      userId: z.uuid(),
      role: z.enum(ORGANIZATION_ROLES),
      joinedAt: at,
      /** the invitation accepted; absent for the creator */
      invitationId: z.uuid().optional(),
    }),
  },
  MemberRoleChanged: {
    schemaVersion: 1,
    data: z.strictObject({
      organizationId,
      userId: z.uuid(),
      role: z.enum(ORGANIZATION_ROLES),
      previousRole: z.enum(ORGANIZATION_ROLES),
      /** null when the identity provider's directory (WorkOS) changed it */
      changedBy: z.uuid().nullable(),
      changedAt: at,
    }),
  },
  /** an Admin removed the member; other services react (keys, secrets, resources) */
  MemberRemoved: {
    schemaVersion: 1,
    data: z.strictObject({
      organizationId,
      userId: z.uuid(),
      role: z.enum(ORGANIZATION_ROLES),
      /** null when the identity provider's directory (WorkOS) removed them */
      removedBy: z.uuid().nullable(),
      removedAt: at,
    }),
  },
  MemberLeft: {
    schemaVersion: 1,
    data: z.strictObject({
      organizationId,
      userId: z.uuid(),
      role: z.enum(ORGANIZATION_ROLES),
      leftAt: at,
    }),
  },
  InvitationCreated: {
    schemaVersion: 1,
    data: z.strictObject({
      organizationId,
      invitationId: z.uuid(),
      /** lowercased */
      email: z.email(),
      role: z.enum(ORGANIZATION_ROLES),
      invitedBy: z.uuid(),
      createdAt: at,
      expiresAt: at,
    }),
  },
  /** sends the invitation again with a fresh lifetime */
  InvitationResent: {
    schemaVersion: 1,
    data: z.strictObject({
      organizationId,
      invitationId: z.uuid(),
      resentBy: z.uuid(),
      resentAt: at,
      expiresAt: at,
    }),
  },
  InvitationRevoked: {
    schemaVersion: 1,
    data: z.strictObject({
      organizationId,
      invitationId: z.uuid(),
      revokedBy: z.uuid(),
      revokedAt: at,
    }),
  },
  /** always appended together with the MemberJoined it causes */
  InvitationAccepted: {
    schemaVersion: 1,
    data: z.strictObject({
      organizationId,
      invitationId: z.uuid(),
      userId: z.uuid(),
      acceptedAt: at,
    }),
  },
};

export const organizationEvents = defineEventCatalog(organizationEventDefinitions);
export type OrganizationEvent = EventOf<typeof organizationEventDefinitions>;
export type OrganizationEventOfType<Type extends OrganizationEvent['type']> = Extract<
  OrganizationEvent,
  { type: Type }
>;
export type OrganizationCreated = OrganizationEventOfType<'OrganizationCreated'>;
export type MemberJoined = OrganizationEventOfType<'MemberJoined'>;

/**
 * Stream of one user's membership preferences: `member-<userId>`. Holds the organization the user
 * works in when a request names none.
 */
export function memberPreferencesStreamName(userId: string): string {
  return `member-${userId}`;
}

const memberPreferenceEventDefinitions = {
  ActiveOrganizationSwitched: {
    schemaVersion: 1,
    data: z.strictObject({ userId: z.uuid(), organizationId, switchedAt: at }),
  },
};

export const memberPreferenceEvents = defineEventCatalog(memberPreferenceEventDefinitions);
export type MemberPreferenceEvent = EventOf<typeof memberPreferenceEventDefinitions>;
