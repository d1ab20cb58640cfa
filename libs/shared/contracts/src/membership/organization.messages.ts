import { z } from 'zod';

/**
 * Payload of `membership.v1.createOrganization`; the creator is the caller (message header).
 * Only the shape is checked here: the name's rules (trimmed, 1 to 100 characters) are the domain's.
 */
export const createOrganizationRequestSchema = z.strictObject({
  name: z.string(),
});
export type CreateOrganizationRequest = z.infer<typeof createOrganizationRequestSchema>;

/** Payload of `membership.v1.getOrganization`; answered only for members of the organization. */
export const getOrganizationRequestSchema = z.strictObject({
  organizationId: z.uuid(),
});
export type GetOrganizationRequest = z.infer<typeof getOrganizationRequestSchema>;

export const ORGANIZATION_ROLES = ['admin', 'member'] as const;
export type OrganizationRole = (typeof ORGANIZATION_ROLES)[number];

export const ORGANIZATION_PLANS = ['free'] as const;
export type OrganizationPlan = (typeof ORGANIZATION_PLANS)[number];

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
  settings: Record<string, never>;
  /** ISO 8601 */
  createdAt: string;
}

/**
 * The create reply adds the default project and the caller's personal workspace. Both belong to the
 * resources service, which creates them in reaction to `OrganizationCreated` in a later issue; until
 * then they are null.
 */
export interface CreatedOrganizationView extends OrganizationView {
  defaultProjectId: string | null;
  personalWorkspaceId: string | null;
}
