import {
  defaultProjectIdOf,
  personalWorkspaceIdOf,
  type OrganizationPlan,
  type OrganizationRole,
  type OrganizationSettings,
  type OrganizationView,
} from '@orgplane/contracts';

/**
 * The one mapping to the organization object of the API, from the write side or a read model, as
 * `caller` sees it: their role, and their own Personal workspace.
 */
export function toOrganizationView(
  organization: {
    id: string;
    name: string;
    slug: string;
    plan: OrganizationPlan;
    settings: OrganizationSettings;
    createdAt: string | Date;
  },
  caller: { userId: string; role: OrganizationRole },
): OrganizationView {
  return {
    id: organization.id,
    name: organization.name,
    slug: organization.slug,
    plan: organization.plan,
    // Enterprise comes with an enterprise plan, which has no way in yet.
    enterprise: false,
    role: caller.role,
    orgRole: caller.role,
    settings: organization.settings,
    createdAt: new Date(organization.createdAt).toISOString(),
    // Both ids are functions of the organization's (and the caller's), so they are known before
    // the resources service has created either in reaction to the organization or membership.
    defaultProjectId: defaultProjectIdOf(organization.id),
    personalWorkspaceId: personalWorkspaceIdOf(organization.id, caller.userId),
  };
}
