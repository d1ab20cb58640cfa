import { z } from 'zod';
import { pageRequestShape, queryBoolean } from '../common/page';
import { ORGANIZATION_ROLES, type OrganizationRole } from '../common/roles';

export const ORGANIZATION_PLANS = ['free'] as const;
export type OrganizationPlan = (typeof ORGANIZATION_PLANS)[number];

/**
 * Organization settings and policy: data the other services read (`membership.v1.getPolicy`) to
 * decide what Members may do.
 */
export const organizationSettingsSchema = z.strictObject({
  /** Members may reveal org-shared secrets (otherwise only Admins may) */
  membersMayRevealOrgSecrets: z.boolean(),
  /** resources may be published with `public` visibility (by Admins) */
  allowPublicResources: z.boolean(),
});
export type OrganizationSettings = z.infer<typeof organizationSettingsSchema>;

export const DEFAULT_ORGANIZATION_SETTINGS: OrganizationSettings = {
  membersMayRevealOrgSecrets: false,
  allowPublicResources: true,
};

const organizationIdField = { organizationId: z.uuid() };
const role = z.enum(ORGANIZATION_ROLES);
/** Names are checked in the domain (trimmed, 1 to 100 characters, no control characters). */
const name = z.string().max(1000);

/**
 * Payloads of the membership subjects. The acting user is the caller (message header); for routes
 * under `/v1/organizations/{id}` the gateway puts the path's id in `organizationId`. Only shapes are
 * checked here; the rules are the domain's.
 */
export const createOrganizationRequestSchema = z.strictObject({ name });
export type CreateOrganizationRequest = z.infer<typeof createOrganizationRequestSchema>;

export const getOrganizationRequestSchema = z.strictObject(organizationIdField);
export type GetOrganizationRequest = z.infer<typeof getOrganizationRequestSchema>;

export const listMyOrganizationsRequestSchema = z.strictObject({ ...pageRequestShape });
export type ListMyOrganizationsRequest = z.infer<typeof listMyOrganizationsRequestSchema>;

/** `PATCH /v1/organizations/{id}`: what the client sends. */
export const updateOrganizationBodySchema = z.strictObject({
  name: name.optional(),
  settings: organizationSettingsSchema.partial().strict().optional(),
});
export const updateOrganizationRequestSchema = updateOrganizationBodySchema
  .extend(organizationIdField)
  .refine((request) => request.name !== undefined || request.settings !== undefined, {
    message: 'Give a name or settings to change',
    path: ['name'],
  });
export type UpdateOrganizationRequest = z.infer<typeof updateOrganizationRequestSchema>;

export const deleteOrganizationRequestSchema = z.strictObject(organizationIdField);
export type DeleteOrganizationRequest = z.infer<typeof deleteOrganizationRequestSchema>;

export const switchActiveOrganizationRequestSchema = z.strictObject(organizationIdField);
export type SwitchActiveOrganizationRequest = z.infer<typeof switchActiveOrganizationRequestSchema>;

export const listMembersRequestSchema = z.strictObject({
  ...organizationIdField,
  ...pageRequestShape,
  role: role.optional(),
});
export type ListMembersRequest = z.infer<typeof listMembersRequestSchema>;

export const changeMemberRoleRequestSchema = z.strictObject({
  ...organizationIdField,
  userId: z.uuid(),
  role,
});
export type ChangeMemberRoleRequest = z.infer<typeof changeMemberRoleRequestSchema>;

export const removeMemberRequestSchema = z.strictObject({
  ...organizationIdField,
  userId: z.uuid(),
});
export type RemoveMemberRequest = z.infer<typeof removeMemberRequestSchema>;

export const leaveOrganizationRequestSchema = z.strictObject(organizationIdField);
export type LeaveOrganizationRequest = z.infer<typeof leaveOrganizationRequestSchema>;

export const INVITATION_LIFETIME_DAYS = { default: 7, max: 30 } as const;
export const INVITATION_STATUSES = ['pending', 'accepted', 'expired', 'revoked'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

const expiresInDays = z.number().int().min(1).max(INVITATION_LIFETIME_DAYS.max);

export const createInvitationRequestSchema = z.strictObject({
  ...organizationIdField,
  email: z.email().max(254),
  role,
  /** default 7 */
  expiresInDays: expiresInDays.optional(),
});
export type CreateInvitationRequest = z.infer<typeof createInvitationRequestSchema>;

export const listInvitationsRequestSchema = z.strictObject({
  ...organizationIdField,
  ...pageRequestShape,
  status: z.enum(INVITATION_STATUSES).optional(),
});
export type ListInvitationsRequest = z.infer<typeof listInvitationsRequestSchema>;

export const revokeInvitationRequestSchema = z.strictObject({
  ...organizationIdField,
  invitationId: z.uuid(),
});
export type RevokeInvitationRequest = z.infer<typeof revokeInvitationRequestSchema>;

export const resendInvitationRequestSchema = z.strictObject({
  ...organizationIdField,
  invitationId: z.uuid(),
  expiresInDays: expiresInDays.optional(),
});
export type ResendInvitationRequest = z.infer<typeof resendInvitationRequestSchema>;

/** The invitee's side: invitations addressed to the caller's verified email. */
export const listMyInvitationsRequestSchema = z.strictObject({ ...pageRequestShape });
export type ListMyInvitationsRequest = z.infer<typeof listMyInvitationsRequestSchema>;

export const acceptInvitationRequestSchema = z.strictObject({ invitationId: z.uuid() });
export type AcceptInvitationRequest = z.infer<typeof acceptInvitationRequestSchema>;

/**
 * From the identity service, when WorkOS reports a membership created, changed or deleted: makes
 * the user's role `role`, or removes them (`null`). Sent without a caller (the directory acts);
 * the last-Admin rule still holds.
 */
export const syncMembershipRequestSchema = z.strictObject({
  ...organizationIdField,
  userId: z.uuid(),
  role: role.nullable(),
});
export type SyncMembershipRequest = z.infer<typeof syncMembershipRequestSchema>;

/** For the gateway: a user's memberships and active organization, cached per user. */
export const getAccessRequestSchema = z.strictObject({ userId: z.uuid() });
export type GetAccessRequest = z.infer<typeof getAccessRequestSchema>;

/** For the platform's services: an organization's settings and policy. */
export const getPolicyRequestSchema = z.strictObject(organizationIdField);
export type GetPolicyRequest = z.infer<typeof getPolicyRequestSchema>;

/** Re-exported for query-string flags of list endpoints (`all=true`). */
export { queryBoolean };

/** The organization as the caller sees it (RunTools reference §7.1). */
export interface OrganizationView {
  id: string;
  name: string;
  slug: string;
  plan: OrganizationPlan;
  enterprise: boolean;
  /** the caller's role; `orgRole` repeats it, as the RunTools objects carry both */
  role: OrganizationRole;
  orgRole: OrganizationRole;
  settings: OrganizationSettings;
  /** ISO 8601 */
  createdAt: string;
  /** the organization's default project (resources service; readable once the create answers) */
  defaultProjectId: string;
  /** the caller's own Personal workspace there (resources service) */
  personalWorkspaceId: string;
}

/** A member as `GET /v1/organizations/{id}/members` lists it (reference §7.1). */
export interface MemberView {
  /** the membership's id */
  id: string;
  userId: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  role: OrganizationRole;
  status: 'active';
  joinedAt: string;
}

export interface InvitationView {
  id: string;
  organizationId: string;
  /** for the invitee, who may not see the organization otherwise */
  organizationName: string;
  email: string;
  role: OrganizationRole;
  status: InvitationStatus;
  invitedBy: string;
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
  revokedAt: string | null;
}

/** Reply of `membership.v1.getAccess`. */
export interface AccessView {
  userId: string;
  /** the organization requests act in when they name none; null when the user belongs to none */
  activeOrganizationId: string | null;
  memberships: { organizationId: string; role: OrganizationRole }[];
}

/** Reply of `membership.v1.getPolicy`. */
export interface PolicyView {
  organizationId: string;
  settings: OrganizationSettings;
}

/**
 * Published (not requested) on MEMBERSHIP_SUBJECTS.accessChanged after a write that changes whom a
 * user may act for: every gateway instance drops what it cached for these users, and reads them
 * again no older than `position`.
 */
export const accessChangedMessageSchema = z.strictObject({
  userIds: z.array(z.uuid()).min(1),
  position: z.string(),
});
export type AccessChangedMessage = z.infer<typeof accessChangedMessageSchema>;

/** Reply of `membership.v1.deleteOrganization`. */
export interface OrganizationDeletedView {
  id: string;
  deleted: true;
}

/** Reply of `membership.v1.removeMember`. */
export interface MemberRemovedView {
  userId: string;
  removed: true;
}

/** Reply of `membership.v1.leaveOrganization`. */
export interface OrganizationLeftView {
  organizationId: string;
  left: true;
}

/** Reply of `membership.v1.acceptInvitation`: the organization joined, and the caller in it. */
export interface InvitationAcceptedView {
  organization: OrganizationView;
  member: MemberView;
}
