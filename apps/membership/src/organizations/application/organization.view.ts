import type { OrganizationPlan, OrganizationRole, OrganizationView } from '@orgplane/contracts';

/** The one mapping to the organization object of the API, from the write side or a read model. */
export function toOrganizationView(
  organization: {
    id: string;
    name: string;
    slug: string;
    plan: OrganizationPlan;
    createdAt: string;
  },
  callerRole: OrganizationRole,
): OrganizationView {
  return {
    id: organization.id,
    name: organization.name,
    slug: organization.slug,
    plan: organization.plan,
    // Enterprise comes with an enterprise plan, which has no way in yet.
    enterprise: false,
    role: callerRole,
    orgRole: callerRole,
    // Organization settings and policy have no command yet.
    settings: {},
    createdAt: organization.createdAt,
  };
}
